/**
 * Whether a process with this pid is running. Signal 0 checks without sending anything; EPERM
 * means the process exists but belongs to another user, ESRCH that there is none.
 */
export function isProcessAlive(pid: number): boolean {
  // 0 and negative pids name process groups, not one process.
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
