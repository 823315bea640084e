// Long loops in the extension host give way to VS Code. The host's thread is VS Code's too (every other extension,
// the API's messages to the window): a loop over every finding or file of a large project runs in stretches of a
// few milliseconds, whatever the project's size (issue 11: the host never blocked over 50 ms).

/** How long a stretch may run before it yields. */
export const SLICE_MS = 8;

/**
 * A yield point for one loop: `const y = slice(); if (y) await y;` in its body yields to the event loop (timers,
 * I/O, VS Code's messages) once SLICE_MS have passed since the loop's last yield, and costs a clock read otherwise.
 */
export function slicer(ms = SLICE_MS): () => Promise<void> | undefined {
  let since = performance.now();
  return () => {
    if (performance.now() - since < ms) return undefined;
    return new Promise<void>(resolve => setImmediate(() => {
      since = performance.now();
      resolve();
    }));
  };
}
