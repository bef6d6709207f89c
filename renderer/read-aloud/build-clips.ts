/**
 * Clips generated at build time for the default questionnaires (scripts/build-clips.ts, espeak-ng),
 * named by their clip key. Vite turns each into an asset URL; the audio is fetched only when played,
 * and this module itself is loaded only when the survey first asks for it (never in the main bundle).
 * Empty where the build had no espeak-ng.
 */
const urls = import.meta.glob<string>('../../assets/clips/*.wav', { query: '?url', import: 'default', eager: true });

export const buildClips: ReadonlyMap<string, string> = new Map(
  Object.entries(urls).map(([path, url]) => [path.slice(path.lastIndexOf('/') + 1, -'.wav'.length), url]),
);
