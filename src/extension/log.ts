// The one output channel. It implements the core's Logger, and everything that goes through it is redacted by
// the core's Redactor (core/redact.ts): secrets registered with `addSecret` (passwords from secret storage and
// from the settings) and anything shaped like a password (URL userinfo, `PASSWORD`/`passwd` key-value pairs in
// Python, JSON or env syntax) never reach the channel.
import * as vscode from 'vscode';
import type { Logger } from '../core/types';
import { Redactor } from '../core/redact';

/** `message` with the given secrets and password-shaped text masked. */
export function redact(message: string, secrets: Iterable<string> = []): string {
  return new Redactor(secrets).redact(message);
}

/** How many of the last lines `recent()` keeps (every level, already redacted). */
const RECENT_LINES = 400;

export class Log implements Logger, vscode.Disposable {
  private readonly channel: vscode.LogOutputChannel;
  private readonly redactor = new Redactor();
  /** the last lines of every level (the channel shows only its own level): what a failing test prints */
  private readonly lines: string[] = [];

  constructor(name = 'Django Multi-DB') {
    this.channel = vscode.window.createOutputChannel(name, { log: true });
  }

  addSecret(value: string | undefined | null): void {
    this.redactor.add(value);
  }

  /** `text` with the secrets registered replaced, as the log writes it (the status document) */
  redact(text: string): string {
    return this.redactor.redact(text);
  }

  private clean(level: string, msg: string): string {
    const text = this.redactor.redact(msg);
    this.lines.push(`${new Date().toISOString().slice(11, 23)} [${level}] ${text.length > 2000 ? `${text.slice(0, 2000)}…` : text}`);
    if (this.lines.length > RECENT_LINES) this.lines.splice(0, this.lines.length - RECENT_LINES);
    return text;
  }

  /** The last lines logged, of every level, oldest first (redacted like the channel). */
  recent(n = RECENT_LINES): string[] {
    return this.lines.slice(-n);
  }

  trace(msg: string): void {
    this.channel.trace(this.clean('trace', msg));
  }
  debug(msg: string): void {
    this.channel.debug(this.clean('debug', msg));
  }
  info(msg: string): void {
    this.channel.info(this.clean('info', msg));
  }
  warn(msg: string): void {
    this.channel.warn(this.clean('warning', msg));
  }
  error(msg: string | Error): void {
    const text = msg instanceof Error ? `${msg.message}${msg.stack ? `\n${msg.stack}` : ''}` : msg;
    this.channel.error(this.clean('error', text));
  }

  show(preserveFocus = true): void {
    this.channel.show(preserveFocus);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
