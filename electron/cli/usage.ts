export const usage = `thingbench — provision AWS IoT devices, against the built-in Local IoT Core or an AWS account

Usage:
  thingbench sandbox [--data-dir D] [--port N] [--throttling]
      Run the Local IoT Core alone. Prints one JSON line with its endpoint and credentials,
      serves until Ctrl-C (SIGINT) or SIGTERM.

  thingbench provision --thing NAME [--type T] [--attribute k=v]... [--group G]...
      [--policy NAME | --policy-template shadow|shadow-jobs | --no-policy]
      [--cert csr|aws|PATH.pem [--keep-key]] [--key ec|rsa2048|rsa3072] [--out DIR]
      [--endpoint URL | --profile P] [--region R] [--json]
      Register a thing with a certificate and a least-privilege policy. Defaults: --cert csr
      (the key is made here and never leaves this machine), --key ec, --policy-template shadow.
      --cert PATH.pem sends only the file's certificates; a private key in the file is never
      sent, and --keep-key keeps it in the vault (it must be the certificate's own key).

  thingbench deprovision --thing NAME [--delete-policy] [--dry-run]
      [--endpoint URL | --profile P] [--region R] [--json]
      Detach, deactivate and delete the thing's certificates, then the thing.

  thingbench connections add --endpoint URL --region R [--label L]
  thingbench connections list
      Save a custom endpoint (moto, LocalStack, a proxy) as a connection the app's connection
      switcher offers; list the saved ones (JSON lines). The UI can choose only saved connections.

  thingbench serve [--port N] [--open]
      Browser mode: serve the built UI (npm run build) on 127.0.0.1 and print one JSON line
      {"url", "port", "home"}; the URL carries a random access token (anyone with it has the
      app). --open also opens it in the system browser. Serves until Ctrl-C (SIGINT) or SIGTERM.
      THINGBENCH_RENDERER_DIR serves another build of the UI than out/renderer.

Connections: the embedded Local IoT Core by default; --endpoint URL with credentials from the
standard AWS environment variables; or --profile P from ~/.aws (SSO profiles too).
THINGBENCH_HOME (default: the OS's per-user app-data folder) holds the vault, the journal and the
embedded Local IoT Core's data. Every command first finishes or undoes runs an earlier, killed
command left behind.
`
