// Disposable base class and helpers (the shape of vscode-hexeditor's dispose.ts and the VS Code samples).
// Structural `{ dispose(): unknown }` so that engine-free code can use it without importing vscode.

export interface IDisposable {
  dispose(): unknown;
}

export function disposeAll(disposables: Iterable<IDisposable>): void {
  const errors: unknown[] = [];
  for (const d of disposables) {
    try {
      d.dispose();
    } catch (e) {
      errors.push(e);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, 'Several disposables failed to dispose.');
}

export abstract class Disposable implements IDisposable {
  private readonly disposables: IDisposable[] = [];
  private disposed = false;

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    disposeAll(this.disposables.splice(0).reverse());
  }

  /** Registers a disposable to be disposed with this object (immediately, if already disposed). */
  protected register<T extends IDisposable>(value: T): T {
    if (this.disposed) value.dispose();
    else this.disposables.push(value);
    return value;
  }
}

/** A collection of disposables that can be cleared and reused. */
export class DisposableStore implements IDisposable {
  private readonly items = new Set<IDisposable>();

  add<T extends IDisposable>(value: T): T {
    this.items.add(value);
    return value;
  }

  clear(): void {
    const items = [...this.items];
    this.items.clear();
    disposeAll(items);
  }

  dispose(): void {
    this.clear();
  }
}
