import { defineConfig } from '@hey-api/openapi-ts';

// Types only: the client's fetch layer (src/transport.ts) is hand-written so that the package
// has no runtime dependency and nothing generated ships as code.
export default defineConfig({
  input: './openapi.json',
  output: { path: './src/generated' },
  plugins: ['@hey-api/typescript'],
});
