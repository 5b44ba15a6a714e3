// wat2wasm.mjs: encodes a WAT file that uses garbage collection (which
// Debian's wabt cannot read) with wasm-tools' text parser, from the
// node_modules folder that tools/lib.sh weft_wast_converter installs.
//   WEFT_WAST_NODE_MODULES=DIR node wat2wasm.mjs IN.wat OUT.wasm
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const modules = process.env.WEFT_WAST_NODE_MODULES;
if (!modules) {
    process.stderr.write("wat2wasm.mjs: WEFT_WAST_NODE_MODULES is not set\n");
    process.exit(1);
}
const { parse } = await import(
    pathToFileURL(join(modules, "@bytecodealliance/jco-transpile/dist/wasm-tools.js")).href);
writeFileSync(process.argv[3], await parse(readFileSync(process.argv[2], "utf8")));
