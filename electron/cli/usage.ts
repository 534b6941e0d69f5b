export const usage = `thingbench — provision AWS IoT devices, against the built-in Local IoT Core or an AWS account

Usage:
  thingbench sandbox [--data-dir D] [--port N] [--throttling]
      Run the Local IoT Core alone. Prints one JSON line with its endpoint and credentials,
      serves until Ctrl-C (SIGINT) or SIGTERM.

  thingbench provision --thing NAME [--type T] [--attribute k=v]... [--group G]...
      [--policy NAME | --policy-template shadow|shadow-jobs | --no-policy]
      [--cert csr|aws|PATH.pem [--keep-key]] [--key ec|rsa2048|rsa3072] [--out DIR]
      [--add-certificate] [--endpoint URL | --profile P] [--region R] [--json]
      Register a thing with a certificate and a least-privilege policy. Defaults: --cert csr
      (the key is made here and never leaves this machine), --key ec, --policy-template shadow.
      --cert PATH.pem sends only the file's certificates; a private key in the file is never
      sent, and --keep-key keeps it in the vault (it must be the certificate's own key).
      A thing that already exists is refused (its certificates and groups are named) unless
      --add-certificate asks to give it one more certificate.

  thingbench deprovision --thing NAME [--delete-policy] [--dry-run]
      [--endpoint URL | --profile P] [--region R] [--json]
      Detach, deactivate and delete the thing's certificates, then the thing.

  thingbench connections add --endpoint URL --region R [--label L]
  thingbench connections list
      Save a custom endpoint (moto, LocalStack, a proxy) as a connection the app's connection
      switcher offers; list the saved ones (JSON lines). The UI can choose only saved connections.

  thingbench shadow get|delete --thing T [--name N] [--via http|mqtt [--as-thing T2]] [--json]
  thingbench shadow update --thing T [--name N] [--desired JSON|@file] [--reported JSON|@file]
      [--version V] [--via http|mqtt [--as-thing T2]] [--json]
  thingbench shadow list --thing T [--json]
      A Device Shadow (the classic one, or --name N): prints the document as JSON (--json: on one
      line). Over HTTP with the connection's credentials by default; --via mqtt as the thing itself
      (its certificate and vault key), or as --as-thing T2. --version V: refused with
      ConflictException unless the shadow is at version V (both sides are printed, exit 1).
      list prints the thing's named shadows (HTTP only, as on AWS).

  thingbench shadow watch --thing T [--name N] [--as-thing T2]
      The shadow's documents, deltas and deletes as JSON lines, in version order, as an operator
      (MQTT over WebSocket signed with the connection's credentials) or as --as-thing T2.
      Runs until Ctrl-C (SIGINT) or SIGTERM.

  thingbench device --thing T [--name N] [--report JSON|@file] [--auto-ack [--delay MS]]
      Act as the device: connect with its certificate and vault key, report --report, and print
      its connection states, the deltas it gets and its reports as JSON lines. --auto-ack answers
      each delta by reporting it after MS milliseconds (default 0). Runs until SIGINT or SIGTERM.

  thingbench mqtt publish --topic TOPIC --message TEXT|@file [--qos 0|1] [--retain] [--as-thing T]
  thingbench mqtt subscribe --topic FILTER [--qos 0|1] [--count N] [--as-thing T]
      Publish one message, or print the messages of a filter as JSON lines {topic, payload, qos,
      retain} (payloadBase64 when not UTF-8) until N arrived or SIGINT/SIGTERM. As an operator
      (WebSocket + SigV4) unless --as-thing names the thing to connect as. Default QoS 1.
      shadow, device and mqtt take the connection flags of provision.

  thingbench serial list [--watch PATH ...]
  thingbench serial monitor --port PATH [--baud N] [--parity none|even|odd|mark|space] [--watch PATH ...]
      List the serial ports (USB ports plugged in, and watched paths such as a pty or a socat
      link; --watch adds one, remembered in the home) as JSON lines, or print what a port
      receives until SIGINT/SIGTERM, saying on stderr when it vanishes and is reopened.

  thingbench onboard --port PATH [--policy NAME] [--group NAME] [--wifi-ssid SSID]
      [--endpoint URL | --profile P] [--region R] [--json]
      Onboard the AWS IoT ExpressLink module on PATH in one flow: read its certificate (its key
      stays in the module), register it without a CA, make the thing named after the module,
      attach --policy (made from the shadow-jobs template when it does not exist; default
      ThingBench-ExpressLink), add it to --group, set the endpoint (and, for a Wi-Fi module,
      --wifi-ssid with the passphrase from THINGBENCH_WIFI_PASSPHRASE), connect and check a shadow
      round trip. Each step is printed as it ends; a failed step is undone and the command exits 1
      with the error's name.

  thingbench device write --thing T --port PATH --send-private-key [--certificate ID]
      [--wifi-ssid SSID] [--endpoint URL | --profile P] [--region R] [--json]
      Give the JSON-lines board on PATH the thing's identity over the cable (docs/serial-json-lines.md
      §3): the endpoint, the thing name, the certificate (--certificate ID, default the thing's one
      certificate whose key is in the vault) and its private key from the vault — refused unless
      --send-private-key says the key may go to the board; --wifi-ssid (passphrase from
      THINGBENCH_WIFI_PASSPHRASE) for firmware that takes its Wi-Fi network too. Then waits until
      the board says it connected. Each step is printed as it ends; a failure exits 1 with the error's name.

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
