// Entry of dist/dockerfile.js (./dockerfile.ts): dockerfile-ast, with the language-server types it brings.
export { DockerfileParser } from 'dockerfile-ast';
