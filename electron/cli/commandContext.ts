/** What a command runs with: its environment and output streams (tests pass their own). */
export interface CommandContext {
  env: NodeJS.ProcessEnv
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  home: string
}
