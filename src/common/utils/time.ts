/** Formats epoch ms as polaris-server does in JSON: `2006-01-02 15:04:05`, server-local time. */
export function formatTime(ms: number): string {
  if (!ms) return '';
  const d = new Date(ms);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
