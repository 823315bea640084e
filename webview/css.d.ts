// esbuild bundles imported CSS into dist/webview/main.css; TypeScript only needs to accept the import.
declare module '*.css';
