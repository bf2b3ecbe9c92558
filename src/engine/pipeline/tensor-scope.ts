/** The GPU tensors one generation owns, disposed together whatever happens. */
import type { OrtTensor } from '../runtime';

/** Disposes every GPU tensor it was given, whatever happens. */
export class TensorScope {
  private owned = new Set<OrtTensor>();
  keep<T extends OrtTensor>(t: T): T {
    if (t.location === 'gpu-buffer') this.owned.add(t);
    return t;
  }
  drop(t: OrtTensor): void {
    if (this.owned.delete(t)) t.dispose();
  }
  disposeAll(): void {
    for (const t of this.owned) t.dispose();
    this.owned.clear();
  }
}
