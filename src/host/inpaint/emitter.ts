// A minimal event emitter with vscode.EventEmitter's shape (event(listener, thisArgs?, disposables?) → disposable),
// and a cancellation source whose token has vscode.CancellationToken's shape, so the inpaint document's logic runs
// and is unit-tested without VS Code (the host passes these where vscode's types are asked for: they are structural).
import type { IDisposable } from '../util/dispose';

export type Event<T> = (listener: (value: T) => unknown, thisArgs?: unknown, disposables?: IDisposable[]) => IDisposable;

export class Emitter<T> implements IDisposable {
  private listeners: Array<(value: T) => unknown> = [];
  private disposed = false;

  readonly event: Event<T> = (listener, thisArgs, disposables) => {
    const bound = thisArgs === undefined || thisArgs === null ? listener : listener.bind(thisArgs);
    if (!this.disposed) this.listeners.push(bound);
    const subscription = {
      dispose: () => {
        this.listeners = this.listeners.filter((l) => l !== bound);
      },
    };
    disposables?.push(subscription);
    return subscription;
  };

  /** Calls every listener in order; one that throws does not stop the others (its error is rethrown after). */
  fire(value: T): void {
    const errors: unknown[] = [];
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, 'Several event listeners failed.');
  }

  dispose(): void {
    this.disposed = true;
    this.listeners = [];
  }
}

export interface CancellationToken {
  readonly isCancellationRequested: boolean;
  readonly onCancellationRequested: Event<void>;
}

export class CancellationSource implements IDisposable {
  private cancelled = false;
  private readonly emitter = new Emitter<void>();
  readonly token: CancellationToken;

  constructor() {
    const self = this;
    this.token = {
      get isCancellationRequested() {
        return self.cancelled;
      },
      onCancellationRequested: this.emitter.event,
    };
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.emitter.fire();
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
