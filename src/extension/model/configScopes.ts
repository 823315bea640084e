// The `djangoMultiDb.*` settings whose scope is "window" in package.json (the others are "resource"). VS Code logs a
// warning for every window-scoped key read with a resource, and for every resource-scoped key read without one
// (`null` says "any resource"): each of those warnings went through the extension host's logger, up to 88 ms of its
// thread in one profile (reading the settings for a folder: CodeLens, diagnostics). config.ts reads each key with the
// scope it has. A unit test keeps this list equal to package.json's.
export const WINDOW_SCOPED: ReadonlySet<string> = new Set(['refreshInterval', 'showUnmanaged', 'statusBar.enabled']);
