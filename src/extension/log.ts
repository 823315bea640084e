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

export class Log implements Logger, vscode.Disposable {
  private readonly channel: vscode.LogOutputChannel;
  private readonly redactor = new Redactor();

  constructor(name = 'Django Multi-DB') {
    this.channel = vscode.window.createOutputChannel(name, { log: true });
  }

  addSecret(value: string | undefined | null): void {
    this.redactor.add(value);
  }

  private clean(msg: string): string {
    return this.redactor.redact(msg);
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
