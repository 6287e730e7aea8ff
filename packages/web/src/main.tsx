import { render } from 'preact';
import { App } from './app.js';
import './themes/tokens.css';
import './themes/app.css';
import { applyTheme, initialTheme } from './themes/theme.js';

applyTheme(initialTheme());
const root = document.getElementById('app');
if (root) render(<App />, root);
