/** Svelte action: makes an element a drop target for files — class `dragging` while something is over it, `onDrop(dataTransfer)` on drop. */
export function dropTarget(node: HTMLElement, onDrop: (data: DataTransfer) => void) {
  const over = (e: DragEvent) => {
    e.preventDefault();
    node.classList.add('dragging');
  };
  const leave = () => node.classList.remove('dragging');
  const drop = (e: DragEvent) => {
    e.preventDefault();
    leave();
    if (e.dataTransfer) onDrop(e.dataTransfer);
  };
  node.addEventListener('dragover', over);
  node.addEventListener('dragleave', leave);
  node.addEventListener('drop', drop);
  return {
    destroy() {
      node.removeEventListener('dragover', over);
      node.removeEventListener('dragleave', leave);
      node.removeEventListener('drop', drop);
    },
  };
}
