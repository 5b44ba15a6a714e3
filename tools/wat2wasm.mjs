// wat2wasm.mjs: encodes a WebAssembly text module with wasm-tools' text
// parser (the npm package that tools/lib.sh's weft_wast_converter installs;
// Debian's wabt 1.0.32 cannot read garbage-collection types). A line
// "(;include FILE;)" is replaced by FILE's text, FILE relative to the
// module's folder, so that programs can share module fields.
//
// Usage: WEFT_WAST_NODE_MODULES=DIR node wat2wasm.mjs IN.wat -o OUT.wasm
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

function fail(msg) {
    process.stderr.write(`wat2wasm.mjs: ${msg}\n`);
    process.exit(1);
}

const args = process.argv.slice(2);
const o = args.indexOf("-o");
if (args.length !== 3 || o !== 1) fail("usage: wat2wasm.mjs IN.wat -o OUT.wasm");
const [input, , output] = args;
const modules = process.env.WEFT_WAST_NODE_MODULES;
if (!modules) fail("WEFT_WAST_NODE_MODULES is not set (tools/lib.sh's weft_wast_converter makes it)");
const { parse } = await import(
    pathToFileURL(join(modules, "@bytecodealliance/jco-transpile/dist/wasm-tools.js")).href);

const text = readFileSync(input, "utf8").replace(/^\s*\(;include ([\w.-]+);\)\s*$/gm,
    (_, file) => readFileSync(join(dirname(input), file), "utf8"));
try {
    writeFileSync(output, Buffer.from(await parse(text)));
} catch (e) {
    fail(`${input}: ${e.message ?? e}`);
}
