import { useRef, type KeyboardEvent, type ReactNode } from 'react';
import { nextIndex } from '../model/list-nav.js';

export interface NavListProps<T> {
  items: readonly T[];
  selected: number;
  onSelect: (index: number) => void;
  label: string;
  testId: string;
  rowTestId: string;
  keyOf: (item: T) => string;
  render: (item: T, selected: boolean) => ReactNode;
  rowAttrs?: (item: T) => Record<string, string>;
}

/**
 * A list of choices that works from the keyboard: one Tab stop (the selected row), arrow keys, Home/End and
 * PageUp/PageDown move, and moving selects. Each row is a real button, so Enter, Space and clicks work.
 */
export function NavList<T>({ items, selected, onSelect, label, testId, rowTestId, keyOf, render, rowAttrs }: NavListProps<T>) {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const onKeyDown = (ev: KeyboardEvent<HTMLUListElement>) => {
    const at = refs.current.findIndex((el) => el === document.activeElement);
    const to = nextIndex(ev.key, at < 0 ? selected : at, items.length);
    if (to === null) return;
    ev.preventDefault();
    onSelect(to);
    refs.current[to]?.focus();
  };
  return (
    <ul className="nav-list" aria-label={label} data-testid={testId} onKeyDown={onKeyDown}>
      {items.map((item, i) => (
        <li key={keyOf(item)}>
          <button
            type="button"
            ref={(el) => {
              refs.current[i] = el;
            }}
            className={i === selected ? 'row selected' : 'row'}
            aria-pressed={i === selected}
            tabIndex={i === selected || (selected < 0 && i === 0) ? 0 : -1}
            data-testid={rowTestId}
            onClick={() => onSelect(i)}
            {...(rowAttrs ? rowAttrs(item) : {})}
          >
            {render(item, i === selected)}
          </button>
        </li>
      ))}
    </ul>
  );
}
