// Child of instances.test.ts: waits until the shared start instant (so that several processes race),
// then loads or creates the central key in the given data dir and prints its public key.
import { loadOrCreateCentralKey } from '../../../central/keys.ts';

const [dataDir, startAt, keyFile] = process.argv.slice(2);
if (!dataDir || !startAt) throw new Error('usage: key-child DATA_DIR START_AT_MS [KEY_FILE]');
while (Date.now() < Number(startAt)) {
  // spin: a timer's granularity would spread the starts apart
}
process.stdout.write(`${loadOrCreateCentralKey(dataDir, keyFile).publicKey}\n`);
