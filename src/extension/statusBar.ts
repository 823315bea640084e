// `$(database) 3 pending` in the status bar: the total over aliases whose state is known; click → panel.
import * as vscode from 'vscode';
import { Cmd } from './commands';
import { readConfig } from './config';
import { aliasStatusText } from './project';
import { aliasesOf, totalPending } from './model/routing';
import type { Feature, Services } from './services';

export const registerStatusBar: Feature = (svc: Services) => {
  const item = vscode.window.createStatusBarItem('djangoMultiDb.pending', vscode.StatusBarAlignment.Left, 50);
  item.name = 'Django Multi-DB: pending migrations';
  item.command = Cmd.showPendingMigrations;

  const update = () => {
    const projects = svc.projects.projects;
    if (!projects.length || !readConfig().statusBar) {
      item.hide();
      return;
    }
    const md = new vscode.MarkdownString(undefined, true);
    // (the one command its link runs)
    md.isTrusted = { enabledCommands: [Cmd.showStatus] };
    let total = 0;
    let known = 0;
    let unreachable = 0;
    let notConfigured = 0;
    let read = false;
    let cached = false;
    for (const p of projects) {
      if (projects.length > 1) md.appendMarkdown(`**${p.name}**\n\n`);
      if (!p.index) {
        md.appendMarkdown(p.error ? `Could not index: ${p.error}\n\n` : 'Indexing…\n\n');
        continue;
      }
      if (p.cachedAt) {
        cached = true;
        md.appendMarkdown(`$(history) Last known state, saved ${new Date(p.cachedAt).toLocaleString()}: refreshing…\n\n`);
      }
      const t = totalPending(p.index);
      total += t.total;
      known += t.known;
      unreachable += t.unreachable;
      notConfigured += t.notConfigured;
      read ||= Object.keys(p.index.applied).length > 0;
      for (const alias of aliasesOf(p.index)) md.appendMarkdown(`- \`${alias}\`: ${aliasStatusText(p.index, alias)}\n`);
      md.appendMarkdown('\n');
    }
    if (!svc.projects.trusted) {
      item.text = '$(database) restricted';
      md.appendMarkdown('Restricted Mode: database state is read once the workspace is trusted.');
    } else if (!known && !unreachable && notConfigured) {
      // the settings set no DATABASES (Django's dummy `default`): nothing to read, and nothing failed
      item.text = '$(warning) no database configured';
    } else if (!read) {
      item.text = '$(database) …';
    } else if (!known && unreachable) {
      // no database answered: "0 pending" would read as up to date
      item.text = `$(warning) ${unreachable} unreachable`;
    } else {
      item.text = `$(${cached ? 'history' : 'database'}) ${total} pending${unreachable ? ` $(warning) ${unreachable}` : ''}`;
    }
    item.backgroundColor = unreachable || (notConfigured && !known) ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    md.appendMarkdown(`\n\nClick to show pending migrations · [Analysis status](command:${Cmd.showStatus})`);
    item.tooltip = md;
    item.accessibilityInformation = { label: `Django Multi-DB: ${item.text.replace(/\$\([^)]*\)\s*/g, '')}` };
    item.show();
  };
  svc.snapshots.set('statusBar', () => ({ text: item.text, visible: svc.projects.projects.length > 0 && readConfig().statusBar }));
  update();
  return [item, svc.projects.onDidChange(update)];
};
