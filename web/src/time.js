// Times as the platform shows them: Beijing time, whatever the browser's zone.
const CHINA_OFFSET_MS = 8 * 3600 * 1000;
const pad = (n) => String(n).padStart(2, '0');

// "2026-03-16 18:00" in Beijing time; '' for none, the input itself when it is not an instant.
export function chinaTime(iso) {
  if (!iso) return '';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return String(iso);
  const d = new Date(ms + CHINA_OFFSET_MS);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}
