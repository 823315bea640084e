// Hovers on models.py: a relation field with a cross-database finding explains which databases are affected
// and why (each router's decision for the model and its target); a model class line shows where it migrates.
import * as vscode from 'vscode';
import type { Finding, ModelInfo, RouterDecision } from '../core/types';
import type { ProjectIndex } from '../core/scan';
import { FINDING_RULES } from '../core/finding-codes';
import { findingDocUri } from './findingDocs';
import { STATE_LABEL, aliasesOf, decisionsOf, locLabel, modelState, routerLocation, shortRouter, tableText } from './model/routing';
import { disagreementLabel, disagreementMarkdown, disagreementOf, failureOfMode, failureSentence } from './model/django';
import type { Feature, Services } from './services';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function why(index: ProjectIndex, d: RouterDecision | undefined): string {
  if (!d) return 'not evaluated';
  if (d.reason === 'default') return 'fell through to allow';
  if (d.reason === 'unmanaged' || d.reason === 'proxy' || d.reason === 'swapped') return d.reason;
  const loc = routerLocation(index, d);
  const name = d.decidedBy ? `\`${shortRouter(d.decidedBy)}\`` : d.reason;
  return loc ? `[${name}](${vscode.Uri.file(loc.path).with({ fragment: `L${loc.line}` }).toString()} "${cell(locLabel(loc, index.root))}")` : name;
}

function stateCell(d: RouterDecision | undefined): string {
  const s = modelState(d);
  const icon = s === 'migrates' ? '$(pass-filled)' : s === 'unknown' ? '$(question)' : '$(circle-slash)';
  return `${icon} ${STATE_LABEL[s]}`;
}

export function crossDbHover(index: ProjectIndex, findings: Finding[]): vscode.MarkdownString {
  const f0 = findings[0]!;
  const md = new vscode.MarkdownString(undefined, true);
  const affected = new Set(findings.map(f => f.alias));
  const decisions = decisionsOf(index);
  // the verdict in one line, then the table: the Problems part of the hover above this already has the sentence
  md.appendMarkdown(`**Cross-database relation** on ${[...affected].map(a => `\`${a}\``).join(', ')}: \`${f0.target}\` does not live there.\n\n`);
  md.appendMarkdown(`| Database | \`${cell(f0.model ?? '')}\` | why | \`${cell(f0.target ?? '')}\` | why |\n|---|---|---|---|---|\n`);
  for (const alias of aliasesOf(index)) {
    const dm = decisions.get(alias, f0.model ?? '');
    const dt = decisions.get(alias, f0.target ?? '');
    md.appendMarkdown(`| ${affected.has(alias) ? '$(warning) ' : ''}\`${cell(alias)}\` | ${stateCell(dm)} | ${why(index, dm)} | ${stateCell(dt)} | ${why(index, dt)} |\n`);
  }
  md.appendMarkdown(`\n[${FINDING_RULES[f0.code].title}: what to do](${findingDocUri(f0.code).toString()})`);
  return md;
}

/** `staticIndex`: the static answer kept next to Django's, to say what the static evaluation said where they differ. */
export function modelHover(index: ProjectIndex, model: ModelInfo, staticIndex?: ProjectIndex): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  const decisions = decisionsOf(index);
  md.appendMarkdown(`**${model.key}** — table ${tableText(model)}${!model.managed ? ' (unmanaged)' : ''}${model.proxy ? ' (proxy)' : ''}\n\n`);
  const fromDjango = index.mode?.used === 'django';
  md.appendMarkdown(fromDjango
    ? `Routing from **Django**${index.django ? ` ${index.django.django}` : ''} (the project's own routers, asked by Django).\n\n`
    : `Routing from the **static analysis** of the router code${index.mode?.reason ? ` — Django not used: ${failureSentence(failureOfMode(index.mode) ?? 'other', index.mode.reason)}` : ''}.\n\n`);
  md.appendMarkdown('| Database | Migrations | Decided by |\n|---|---|---|\n');
  const notes: string[] = [];
  const staticDecisions = staticIndex && staticIndex !== index ? decisionsOf(staticIndex) : undefined;
  for (const alias of aliasesOf(index)) {
    const d = decisions.get(alias, model.key);
    const dis = disagreementOf(index, alias, model.key);
    md.appendMarkdown(`| \`${cell(alias)}\` | ${stateCell(d)}${dis ? ` $(warning) ${cell(disagreementLabel(dis))}` : ''} | ${why(index, d)} |\n`);
    if (dis) notes.push(`\`${alias}\`: ${disagreementMarkdown(dis, index.root, staticDecisions?.get(alias, model.key), model.loc).replace(/\n\n/g, ' ')}`);
  }
  if (notes.length) md.appendMarkdown(`\n**Where the static evaluation was unknown or wrong**\n\n${notes.map(n => `- ${n}`).join('\n')}\n`);
  return md;
}

export const registerHovers: Feature = (svc: Services) => [
  vscode.languages.registerHoverProvider(
    { language: 'python', scheme: 'file' },
    {
      provideHover(doc, pos) {
        const p = svc.projects.projectFor(doc.uri.fsPath);
        const index = p?.index;
        if (!index) return undefined;
        const line1 = pos.line + 1;
        const file = doc.uri.fsPath;
        const text = doc.lineAt(pos.line).text;
        const range = new vscode.Range(pos.line, text.length - text.trimStart().length, pos.line, text.trimEnd().length);
        const findings = index.findings.filter(f => f.code === 'cross-db-foreign-key' && f.path === file && f.line === line1);
        if (findings.length) return new vscode.Hover(crossDbHover(index, findings), range);
        const model = index.models.find(m => !m.abstract && m.loc.line === line1 && m.loc.path === file);
        if (model) return new vscode.Hover(modelHover(index, model, p.staticIndex), range);
        return undefined;
      },
    },
  ),
];
