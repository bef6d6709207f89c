/** "Câu 2/5" with a bar; the bar is a progressbar for assistive technology, the text is what people read. */
export const ProgressBar = ({ position, total, label }: { position: number; total: number; label: string }) => (
  <div className="progress" data-testid="survey-progress">
    <span className="progress-text">{label}</span>
    <progress className="progress-bar" max={total} value={position} aria-label={label} />
  </div>
);
