/**
 * Where the user is in the app: focused pane, cursors, the open view, its scroll offset, the help screen.
 * Pure: `navigate(state, action, counts)` returns the next state; the App runs the side effects
 * (restore, verify, retention) and owns their confirm dialogs.
 */
export type Focus = 'files' | 'history' | 'view';
export type ViewKind = 'detail' | 'diff' | 'verify' | 'retention' | 'remotes';
/** `marked`: the two versions marked with m (the App builds the pair) */
export type DiffAgainst = 'previous' | 'working' | 'marked';

export type Action =
  | { type: 'move'; delta: number }
  | { type: 'page'; dir: 1 | -1 }
  | { type: 'home' }
  | { type: 'end' }
  | { type: 'focusNext' }
  | { type: 'focusPrev' }
  | { type: 'open' }
  | { type: 'back' }
  | { type: 'diff' }
  | { type: 'toggleDiffTarget' }
  | { type: 'restore' }
  | { type: 'verify' }
  | { type: 'retention' }
  | { type: 'apply' }
  | { type: 'remotes' }
  | { type: 'push' }
  | { type: 'help' }
  | { type: 'quit' }
  | { type: 'confirm' }
  | { type: 'cancel' }
  // --- issue 15 (work): the App runs these (prompts, save, tag, marks, filters)
  | { type: 'save' }
  | { type: 'saveAll' }
  | { type: 'tag' }
  | { type: 'mark' }
  | { type: 'diffMarked' }
  | { type: 'filter' }
  | { type: 'match'; dir: 1 | -1 }

  // archives and experiments screens (hooks/use-extra-views.ts owns them)
  | { type: 'archives' }
  | { type: 'experiments' };

export interface NavState {
  focus: Focus;
  /** cursor in the files list */
  file: number;
  /** cursor in the selected file's versions (0 = newest) */
  version: number;
  view: ViewKind | null;
  diffAgainst: DiffAgainst;
  /** first visible line of the open view */
  scroll: number;
  /** the help screen is open */
  help: boolean;
  quit: boolean;
}

export interface NavCounts {
  files: number;
  /** versions of the selected file */
  versions: number;
  /** lines the open view has */
  viewLines: number;
  /** visible rows of the lists and of the view */
  listHeight: number;
  viewHeight: number;
}

export const initialNav: NavState = {
  focus: 'files',
  file: 0,
  version: 0,
  view: null,
  diffAgainst: 'previous',
  scroll: 0,
  help: false,
  quit: false,
};

const clamp = (n: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, n));

function moveBy(s: NavState, delta: number, c: NavCounts): NavState {
  switch (s.focus) {
    case 'files': {
      const file = clamp(s.file + delta, 0, Math.max(0, c.files - 1));
      return file === s.file ? s : { ...s, file, version: 0, scroll: 0 };
    }
    case 'history': {
      const version = clamp(s.version + delta, 0, Math.max(0, c.versions - 1));
      return version === s.version ? s : { ...s, version, scroll: 0 };
    }
    case 'view':
      return { ...s, scroll: clamp(s.scroll + delta, 0, Math.max(0, c.viewLines - c.viewHeight)) };
  }
}

const ORDER: Focus[] = ['files', 'history', 'view'];

function cycle(s: NavState, step: 1 | -1): NavState {
  const order = s.view ? ORDER : ORDER.slice(0, 2);
  const i = order.indexOf(s.focus);
  const next = order[(i + step + order.length) % order.length]!;
  return { ...s, focus: next };
}

/** Keep cursors inside the lists after data changed (a reload can shrink them). */
export function clampNav(s: NavState, c: NavCounts): NavState {
  const file = clamp(s.file, 0, Math.max(0, c.files - 1));
  const version = file === s.file ? clamp(s.version, 0, Math.max(0, c.versions - 1)) : 0;
  const scroll = clamp(s.scroll, 0, Math.max(0, c.viewLines - c.viewHeight));
  const focus = s.focus === 'view' && !s.view ? 'history' : s.focus;
  return file === s.file && version === s.version && scroll === s.scroll && focus === s.focus ? s : { ...s, file, version, scroll, focus };
}

export function navigate(s: NavState, a: Action, c: NavCounts): NavState {
  if (s.help) return a.type === 'quit' ? { ...s, help: false, quit: true } : { ...s, help: false };
  switch (a.type) {
    case 'move':
      return moveBy(s, a.delta, c);
    case 'page': {
      // PgUp/PgDn page the open view (diff, detail, …) whichever pane has focus; without a view, the list
      if (!s.view) return moveBy(s, a.dir * Math.max(1, c.listHeight), c);
      const scroll = clamp(s.scroll + a.dir * Math.max(1, c.viewHeight), 0, Math.max(0, c.viewLines - c.viewHeight));
      return scroll === s.scroll ? s : { ...s, scroll };
    }
    case 'home':
      return moveBy(s, -Number.MAX_SAFE_INTEGER / 2, c);
    case 'end':
      return moveBy(s, Number.MAX_SAFE_INTEGER / 2, c);
    case 'focusNext':
      return cycle(s, 1);
    case 'focusPrev':
      return cycle(s, -1);
    case 'open':
      if (s.focus === 'files') return c.files > 0 ? { ...s, focus: 'history' } : s;
      if (s.focus === 'history' && c.versions > 0) return { ...s, view: 'detail', scroll: 0 };
      return s;
    case 'back':
      if (s.focus === 'view') return { ...s, focus: 'history' };
      if (s.view) return { ...s, view: null, scroll: 0 };
      if (s.focus === 'history') return { ...s, focus: 'files' };
      return s;
    case 'diff':
      if (c.versions === 0) return s;
      return s.focus === 'files'
        ? { ...s, view: 'diff', diffAgainst: 'working', version: 0, scroll: 0 }
        : { ...s, view: 'diff', diffAgainst: 'previous', scroll: 0 };
    case 'toggleDiffTarget':
      return s.view === 'diff' ? { ...s, diffAgainst: s.diffAgainst === 'previous' ? 'working' : 'previous', scroll: 0 } : s;
    case 'restore':
      // the App opens the confirm dialog for the selected version (from the files pane: the latest)
      return s.focus === 'files' && s.version !== 0 ? { ...s, version: 0 } : s;
    case 'verify':
      return { ...s, view: 'verify', focus: 'view', scroll: 0 };
    case 'retention':
      return { ...s, view: 'retention', focus: 'view', scroll: 0 };
    case 'apply':
    case 'push':
      // the App opens the apply / push dialog when the plan / remotes are on screen
      return s;
    case 'remotes':
      // focus stays, so moving through versions shows where each one has copies
      return { ...s, view: 'remotes', scroll: 0 };
    case 'help':
      return { ...s, help: true };
    case 'quit':
      return { ...s, quit: true };
    case 'confirm':
    case 'cancel':
    case 'archives':
    case 'experiments':
      return s;
    // --- issue 15 (work): the App checks that two versions are marked before it sends diffMarked
    case 'diffMarked':
      return { ...s, view: 'diff', diffAgainst: 'marked', scroll: 0 };
    case 'save':
    case 'saveAll':
    case 'tag':
    case 'mark':
    case 'filter':
    case 'match':
      return s;
  }
}
