import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { startVaultWorker } from './vault/client.js';
import './styles.css';

const client = startVaultWorker();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App client={client} search={location.search} />
  </StrictMode>,
);
