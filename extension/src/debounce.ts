/** A trailing-edge debounce with cancel, used for server restarts after bursts of settings changes. */

export interface Debounced {
  (): void;
  cancel(): void;
  readonly pending: boolean;
}

export function debounce(fn: () => void, waitMs: number): Debounced {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const call = (() => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      fn();
    }, waitMs);
  }) as Debounced;
  call.cancel = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  Object.defineProperty(call, "pending", { get: () => timer !== undefined });
  return call;
}
