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

export type Background = 'light' | 'dark';

/**
 * Only the terminal's own 16 named colours, never white or black text, so the user's palette decides how they
 * look; on a light background (COLORFGBG says so) cyan and yellow, which fade on white, become blue and magenta.
 */
export function makeTheme(color: boolean, background: Background = 'dark'): Theme {
  if (!color) return { color, accent: undefined, ok: undefined, bad: undefined, warn: undefined, muted: undefined, border: undefined, focusBorder: undefined };
  return background === 'light'
    ? { color, accent: 'blue', ok: 'green', bad: 'red', warn: 'magenta', muted: 'gray', border: 'gray', focusBorder: 'blue' }
    : { color, accent: 'cyan', ok: 'green', bad: 'red', warn: 'yellow', muted: 'gray', border: 'gray', focusBorder: 'cyan' };
}

/** The background from COLORFGBG (`fg;bg`, set by rxvt, Konsole, iTerm2 …): colours 7 and 9-15 are light. */
export function detectBackground(env: Record<string, string | undefined>): Background {
  const bg = Number((env.COLORFGBG ?? '').split(';').pop());
  return Number.isInteger(bg) && (bg === 7 || (bg >= 9 && bg <= 15)) ? 'light' : 'dark';
}

const ThemeContext = createContext<Theme>(makeTheme(false));

export function ThemeProvider({ color, background, children }: { color: boolean; background?: Background; children: ReactNode }) {
  return <ThemeContext.Provider value={makeTheme(color, background)}>{children}</ThemeContext.Provider>;
}

export function useTheme(): Theme {
  return useContext(ThemeContext);
}
