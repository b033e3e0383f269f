/** Keyboard movement in a list (roving focus): pure, so every key is tested without a DOM. */

export type ListKey = 'ArrowDown' | 'ArrowUp' | 'Home' | 'End' | 'PageDown' | 'PageUp';

export const LIST_KEYS: readonly string[] = ['ArrowDown', 'ArrowUp', 'Home', 'End', 'PageDown', 'PageUp'];

/** The index the key moves to, or null when the key is not a list key or the list is empty. */
export function nextIndex(key: string, current: number, length: number, page = 10): number | null {
  if (length <= 0 || !LIST_KEYS.includes(key)) return null;
  const at = current < 0 ? -1 : Math.min(current, length - 1);
  switch (key as ListKey) {
    case 'ArrowDown':
      return at < 0 ? 0 : Math.min(at + 1, length - 1);
    case 'ArrowUp':
      return at < 0 ? length - 1 : Math.max(at - 1, 0);
    case 'Home':
      return 0;
    case 'End':
      return length - 1;
    case 'PageDown':
      return Math.min(Math.max(at, 0) + page, length - 1);
    case 'PageUp':
      return Math.max(at - page, 0);
  }
}
