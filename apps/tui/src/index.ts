export { renderApp } from './render-app.js';
export type { RenderAppOptions, TuiHandle } from './render-app.js';
export { App } from './components/App.js';
export type { AppProps } from './components/App.js';
export { TuiError } from './errors.js';
export type { TuiErrorCode } from './errors.js';
