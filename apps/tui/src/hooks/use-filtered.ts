/** A list filtered by a query (state/filter.ts), narrowing from the previous result while the user types. */
import { useMemo, useRef } from 'react';
import { filterNarrowing } from '../state/filter.js';
import type { FilterMemo } from '../state/filter.js';

export function useFiltered<T>(items: readonly T[], query: string, text: (item: T) => string): T[] {
  const memo = useRef<FilterMemo<T> | null>(null);
  return useMemo(() => {
    memo.current = filterNarrowing(memo.current, items, query, text);
    return memo.current.result;
  }, [items, query, text]);
}
