/** Colours, or none at all: with `color: false` (NO_COLOR, --no-color) no component passes a colour to Ink. */
import { createContext, useContext } from 'react';
import type { ReactNode } from 'react';

export interface Theme {
  color: boolean;
  accent: string | undefined;
  ok: string | undefined;
  bad: string | undefined;
  warn: string | undefined;
  muted: string | undefined;
  border: string | undefined;
  focusBorder: string | undefined;
}

export function makeTheme(color: boolean): Theme {
  return color
    ? { color, accent: 'cyan', ok: 'green', bad: 'red', warn: 'yellow', muted: 'gray', border: 'gray', focusBorder: 'cyan' }
    : { color, accent: undefined, ok: undefined, bad: undefined, warn: undefined, muted: undefined, border: undefined, focusBorder: undefined };
}

const ThemeContext = createContext<Theme>(makeTheme(false));

export function ThemeProvider({ color, children }: { color: boolean; children: ReactNode }) {
  return <ThemeContext.Provider value={makeTheme(color)}>{children}</ThemeContext.Provider>;
}

export function useTheme(): Theme {
  return useContext(ThemeContext);
}
