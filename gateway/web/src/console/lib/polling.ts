/** A job the server runs in the background (a subtree move, a roster import) followed by
 * reading it again until it is over: quickly at first, then every 2 s; stopped by its signal
 * (the page left, the dialog closed). */

/** Delay before the n-th read again (0-based). */
export function pollDelay(attempt: number): number {
  return Math.min(2000, 500 * 2 ** attempt)
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', stop)
      resolve()
    }, ms)
    function stop() {
      clearTimeout(timer)
      reject(signal.reason)
    }
    signal.addEventListener('abort', stop, { once: true })
  })
}

/** Reads the job until `running` says it is over, showing each answer (`seen`); answers the
 * last one. A failed read ends the polling with its error; an abort with the signal's reason. */
export async function pollUntil<T>(
  read: (signal: AbortSignal) => Promise<T>,
  running: (job: T) => boolean,
  seen: (job: T) => void,
  signal: AbortSignal,
  delay: (attempt: number) => number = pollDelay,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const job = await read(signal)
    if (signal.aborted) throw signal.reason
    seen(job)
    if (!running(job)) return job
    await sleep(delay(attempt), signal)
  }
}
