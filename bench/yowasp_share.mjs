// yowasp_share.mjs: writes the files a YoWASP package (such as @yowasp/yosys)
// embeds in its resources module out as a real folder, so that any WASI
// runtime can preopen them (yosys reads its techmap libraries from /share).
//   node yowasp_share.mjs PATH/TO/gen/resources-yosys.js OUT_DIR
import { mkdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { argv } from 'node:process';

const [resources, out] = argv.slice(2);
const { filesystem } = await import(pathToFileURL(resources).href);

// A tree is an object of names: a string is a file's text, a URL a file
// shipped beside the module, an object a folder.
function write(tree, dir) {
  mkdirSync(dir, { recursive: true });
  for (const [name, value] of Object.entries(tree)) {
    const path = join(dir, name);
    if (typeof value === 'string' || value instanceof Uint8Array)
      writeFileSync(path, value);
    else if (value instanceof URL)
      copyFileSync(fileURLToPath(value), path);
    else
      write(value, path);
  }
}
write(filesystem, out);
