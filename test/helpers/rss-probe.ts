// Loaded with `node --import` into a CLI child: at exit, writes the process's peak RSS (MB) to the file in RSS_PROBE_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.RSS_PROBE_FILE;
if (file !== undefined) process.on('exit', () => writeFileSync(file, String(Math.round(process.resourceUsage().maxRSS / 1024))));
