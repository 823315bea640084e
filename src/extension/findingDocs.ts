// Where a finding code's documentation is: docs/findings.md as installed with the extension, at the code's heading
// (`file:…/docs/findings.md#L58`: VS Code opens the file at that line). The published repository address in
// finding-codes.ts is a placeholder, and an editor works offline: the copy that came with the extension is the one
// that matches its findings.
import * as fs from 'fs';
import * as vscode from 'vscode';
import { helpUri, type FindingCode } from '../core/finding-codes';

let docs: { uri: vscode.Uri; lines: Map<string, number> } | null = null;

/** Reads the heading lines of the bundled docs/findings.md once, at activation. */
export function initFindingDocs(extensionUri: vscode.Uri): void {
  const uri = vscode.Uri.joinPath(extensionUri, 'docs', 'findings.md');
  const lines = new Map<string, number>();
  try {
    fs.readFileSync(uri.fsPath, 'utf8').split('\n').forEach((l, i) => {
      const m = /^#{2,4} `?([a-z][a-z0-9-]*)`?\s*$/.exec(l);
      if (m && !lines.has(m[1]!)) lines.set(m[1]!, i + 1);
    });
    docs = { uri, lines };
  } catch {
    docs = null;
  }
}

/** The link of a finding code's documentation (the published address when the bundled copy is missing). */
export function findingDocUri(code: FindingCode): vscode.Uri {
  const line = docs?.lines.get(code);
  return docs && line ? docs.uri.with({ fragment: `L${line}` }) : vscode.Uri.parse(helpUri(code));
}
