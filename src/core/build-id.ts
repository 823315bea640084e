// Which build of the rules produced a cached result. scripts/build.mjs defines __DMDB_BUILD__ as a digest of
// src/core and python/ (the helper Django mode runs): an on-disk cache written by another build is not read, even
// when the version numbers beside it (bumped by hand when a cached shape changes) are the same, so an upgrade or a
// rebuild never shows findings of the old rules. From the sources (unit tests) it is 'dev'.
declare const __DMDB_BUILD__: string | undefined;

export const BUILD_ID: string = typeof __DMDB_BUILD__ === 'string' ? __DMDB_BUILD__ : 'dev';
