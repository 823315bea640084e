// The one output channel. It implements the core's Logger, and everything that goes through it is redacted:
// secrets registered with `addSecret` (passwords from secret storage) and anything that looks like a
// password in a URL or a `password=` pair never reach the channel.
import * as vscode from 'vscode';
import type { Logger } from '../core/types';

const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi;
const PASSWORD_PAIR = /\b(password|passwd|pwd|PGPASSWORD)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;]+)/gi;

export function redact(message: string, secrets: Iterable<string> = []): string {
  let out = message.replace(URL_CREDENTIALS, '$1••••@').replace(PASSWORD_PAIR, '$1$2••••');
  for (const s of secrets) {
    if (s.length >= 3) out = out.split(s).join('••••');
  }
  return out;
}

export class Log implements Logger, vscode.Disposable {
  private readonly channel: vscode.LogOutputChannel;
  private readonly secrets = new Set<string>();

  constructor(name = 'Django Multi-DB') {
    this.channel = vscode.window.createOutputChannel(name, { log: true });
  }

  addSecret(value: string | undefined | null): void {
    if (value) this.secrets.add(value);
  }

  private clean(msg: string): string {
    return redact(msg, this.secrets);
  }

  trace(msg: string): void {
    this.channel.trace(this.clean(msg));
  }
  debug(msg: string): void {
    this.channel.debug(this.clean(msg));
  }
  info(msg: string): void {
    this.channel.info(this.clean(msg));
  }
  warn(msg: string): void {
    this.channel.warn(this.clean(msg));
  }
  error(msg: string | Error): void {
    const text = msg instanceof Error ? `${msg.message}${msg.stack ? `\n${msg.stack}` : ''}` : msg;
    this.channel.error(this.clean(text));
  }

  show(preserveFocus = true): void {
    this.channel.show(preserveFocus);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
