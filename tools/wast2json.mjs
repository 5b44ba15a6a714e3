// wast2json.mjs: converts a WebAssembly 3.0 .wast script into the JSON form
// that wabt's wast2json writes (and tests/spec reads), with one .wasm file
// per module. Debian's wabt (1.0.32) cannot read the 3.0 text formats
// (exceptions, typed references, GC), and wabt 1.0.39 from npm has no
// wast2json and cannot read typed references, so the 3.0 suite goes through
// this script instead: it reads the script syntax itself and has each text
// module encoded by wasm-tools' text parser (the npm package
// @bytecodealliance/jco-transpile, installed by tools/lib.sh's
// weft_wast_converter into a build folder; never committed).
//
// Usage: node wast2json.mjs [--enable-all] SCRIPT.wast -o OUT.json
//
// Beyond wabt's format it writes:
//   {"type": "module_definition", "name"?, "filename"}: a module that is
//       decoded and validated but not instantiated;
//   {"type": "module_instance", "instance"?, "module"?}: an instance of a
//       defined module (the current one when "module" is absent);
//   {"type": "assert_exception", "action"}: the action throws;
//   expected {"type": "either", "values": [...]}: any one of the values;
//   reference results as {"type": "<heap>ref", "value"?: "null" | N}, where
//       a missing value means any non-null reference of that kind.
// Text modules wasm-tools cannot encode become a "filename" ending in .wat
// with "module_type": "text", which the runner reports as it reports any
// module it cannot read.
import { readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

// The encoder comes from the node_modules folder that tools/lib.sh made
// (WEFT_WAST_NODE_MODULES), since this script lives outside it.
const modules = process.env.WEFT_WAST_NODE_MODULES;
if (!modules) fail("WEFT_WAST_NODE_MODULES is not set (use the wrapper tools/lib.sh writes)");
const { parse: encodeWat } = await import(
    pathToFileURL(join(modules, "@bytecodealliance/jco-transpile/dist/wasm-tools.js")).href);

function fail(msg) {
    process.stderr.write(`wast2json.mjs: ${msg}\n`);
    process.exit(1);
}

// ---- reading the script's s-expressions ----------------------------------

// Tokens and lists keep their offsets in the source, so a text module is
// handed to the encoder exactly as written.
function readSexprs(src) {
    let i = 0, line = 1;
    const top = [];
    const stack = [top];
    const starts = [];
    while (i < src.length) {
        const c = src[i];
        if (c === "\n") { line++; i++; continue; }
        if (c === " " || c === "\t" || c === "\r") { i++; continue; }
        if (c === ";" && src[i + 1] === ";") {
            while (i < src.length && src[i] !== "\n") i++;
            continue;
        }
        if (c === "(" && src[i + 1] === ";") {
            let depth = 1;
            i += 2;
            while (i < src.length && depth > 0) {
                if (src[i] === "\n") line++;
                if (src[i] === "(" && src[i + 1] === ";") { depth++; i += 2; }
                else if (src[i] === ";" && src[i + 1] === ")") { depth--; i += 2; }
                else i++;
            }
            continue;
        }
        if (c === "(") {
            const list = { list: [], start: i, line };
            stack[stack.length - 1].push(list);
            stack.push(list.list);
            starts.push(list);
            i++;
            continue;
        }
        if (c === ")") {
            if (stack.length === 1) fail(`unbalanced ) at line ${line}`);
            stack.pop();
            starts.pop().end = i + 1;
            i++;
            continue;
        }
        if (c === '"') {
            const start = i;
            const bytes = [];
            i++;
            while (i < src.length && src[i] !== '"') {
                if (src[i] === "\\") {
                    const e = src[i + 1];
                    const simple = { n: 10, t: 9, r: 13, "\\": 92, "'": 39, '"': 34 };
                    if (e in simple) { bytes.push(simple[e]); i += 2; }
                    else if (e === "u") {
                        const close = src.indexOf("}", i);
                        const cp = parseInt(src.slice(i + 3, close).replace(/_/g, ""), 16);
                        bytes.push(...Buffer.from(String.fromCodePoint(cp), "utf8"));
                        i = close + 1;
                    } else {
                        bytes.push(parseInt(src.slice(i + 1, i + 3), 16));
                        i += 3;
                    }
                } else {
                    const cp = src.codePointAt(i);
                    const ch = String.fromCodePoint(cp);
                    if (ch === "\n") line++;
                    bytes.push(...Buffer.from(ch, "utf8"));
                    i += ch.length;
                }
            }
            i++;
            stack[stack.length - 1].push({ str: Buffer.from(bytes), start, end: i, line });
            continue;
        }
        const start = i;
        while (i < src.length && !" \t\r\n()\";".includes(src[i])) i++;
        if (src[i] === '"' && src.slice(start, i) === "$") {
            // A quoted identifier, $"...": one atom, written as it was.
            i++;
            while (i < src.length && src[i] !== '"') i += src[i] === "\\" ? 2 : 1;
            i++;
        }
        if (i === start) i++; // a lone ';'
        stack[stack.length - 1].push({ atom: src.slice(start, i), start, end: i, line });
    }
    if (stack.length !== 1) fail("unbalanced ( at end of script");
    return top;
}

// Writes a node back as text for the encoder. Strings are written with
// byte escapes only (the encoder refuses some raw Unicode characters), and
// the legacy exception instructions in folded form, (try (do ...) (catch
// ...) ...), which the encoder reads only in flat form, are written flat:
// try ... catch ... end, or try ... delegate L.
function serialize(n) {
    if (n.atom !== undefined) return n.atom;
    if (n.str !== undefined) {
        let out = '"';
        for (const b of n.str) {
            if (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c) out += String.fromCharCode(b);
            else out += "\\" + b.toString(16).padStart(2, "0");
        }
        return out + '"';
    }
    const items = n.list;
    if (head(n) === "try" && items.some((c) => head(c) === "do")) {
        const parts = ["try"];
        let delegated = false;
        for (const c of items.slice(1)) {
            const h = head(c);
            if (h === "do") parts.push(...c.list.slice(1).map(serialize));
            else if (h === "catch" || h === "catch_all") {
                parts.push(h);
                const rest = c.list.slice(1);
                if (h === "catch" && rest.length) parts.push(serialize(rest.shift()));
                parts.push(...rest.map(serialize));
            } else if (h === "delegate") {
                parts.push("delegate", ...c.list.slice(1).map(serialize));
                delegated = true;
            } else parts.push(serialize(c));
        }
        if (!delegated) parts.push("end");
        // Wrapped in a block-free way: a flat sequence is valid wherever the
        // folded instruction was, except as the operand of another folded
        // instruction, which try never is in the suite.
        return parts.join(" ");
    }
    return "(" + items.map(serialize).join(" ") + ")";
}

// Annotations, (@name ...), are left out of the command structure.
const isAnnotation = (n) => n && n.list && n.list[0] && n.list[0].atom !== undefined &&
                            n.list[0].atom.startsWith("@");

const isAtom = (n, a) => n && n.atom !== undefined && (a === undefined || n.atom === a);
const isName = (n) => n && n.atom !== undefined && n.atom.startsWith("$");
const head = (n) => (n && n.list && n.list[0] && n.list[0].atom) || null;

// ---- constants ---------------------------------------------------------------

// Numeric literals are encoded by the same text parser as the modules (as
// globals of one module per script), so that every literal form, rounding
// and NaN payload is read the way the modules' own constants are.
class Constants {
    constructor() { this.items = []; }
    // Returns a slot filled in by resolve(): {bits: BigInt} or {bytes: Buffer}.
    add(type, text) {
        const slot = { type, text };
        this.items.push(slot);
        return slot;
    }
    async resolve() {
        if (this.items.length === 0) return;
        const globals = this.items.map((s) => `(global ${s.type} (${s.type}.const ${s.text}))`);
        let bin;
        try {
            bin = Buffer.from(await encodeWat(`(module ${globals.join("\n")})`));
        } catch (e) {
            fail(`cannot encode the script's constants: ${String(e).slice(0, 300)}`);
        }
        let p = 8;
        const leb = () => {
            let r = 0n, shift = 0n, b;
            do { b = bin[p++]; r |= BigInt(b & 0x7f) << shift; shift += 7n; } while (b & 0x80);
            return r;
        };
        const sleb = (bits) => {
            let r = 0n, shift = 0n, b;
            do { b = bin[p++]; r |= BigInt(b & 0x7f) << shift; shift += 7n; } while (b & 0x80);
            if (b & 0x40) r -= 1n << shift;
            return BigInt.asUintN(bits, r);
        };
        while (p < bin.length) {
            const id = bin[p++];
            const size = Number(leb());
            if (id !== 6) { p += size; continue; }
            const count = Number(leb());
            for (let k = 0; k < count; k++) {
                const slot = this.items[k];
                p += 2; // value type, mutability
                const op = bin[p++];
                if (op === 0x41) slot.bits = sleb(32);
                else if (op === 0x42) slot.bits = sleb(64);
                else if (op === 0x43) { slot.bits = BigInt(bin.readUInt32LE(p)); p += 4; }
                else if (op === 0x44) { slot.bits = bin.readBigUInt64LE(p); p += 8; }
                else if (op === 0xfd) { leb(); slot.bytes = bin.subarray(p, p + 16); p += 16; }
                else fail(`unexpected constant opcode ${op}`);
                p++; // end
            }
            return;
        }
        fail("no global section in the encoded constants");
    }
}

const LANES = { i8x16: ["i8", 16, 1], i16x8: ["i16", 8, 2], i32x4: ["i32", 4, 4],
                i64x2: ["i64", 2, 8], f32x4: ["f32", 4, 4], f64x2: ["f64", 2, 8] };

// Heap types of reference patterns, by the JSON type that stands for them.
const NULL_HEAPS = { func: "funcref", nofunc: "funcref", extern: "externref",
                     noextern: "externref", exn: "exnref", noexn: "exnref", any: "anyref",
                     none: "anyref", eq: "eqref", i31: "i31ref", struct: "structref",
                     array: "arrayref" };

// A value: returns a function that gives its JSON once constants are resolved.
function value(node, consts, expected) {
    const op = head(node);
    const args = node.list.slice(1);
    const nanPattern = (t) => expected && t.atom && /^nan:(canonical|arithmetic)$/.test(t.atom);
    if (op === "either" && expected) {
        const vs = args.map((a) => value(a, consts, true));
        return () => ({ type: "either", values: vs.map((v) => v()) });
    }
    if (/^(i32|i64|f32|f64)\.const$/.test(op)) {
        const type = op.slice(0, 3);
        if (nanPattern(args[0])) return () => ({ type, value: args[0].atom });
        const slot = consts.add(type, args[0].atom);
        return () => ({ type, value: slot.bits.toString() });
    }
    if (op === "v128.const") {
        const shape = args[0].atom;
        const [lane, count, width] = LANES[shape] || fail(`line ${node.line}: lane shape ${shape}`);
        const lanes = args.slice(1);
        if (lanes.some(nanPattern)) {
            // Per-lane NaN patterns: the other lanes are encoded one by one.
            const slots = lanes.map((l) => (nanPattern(l) ? l.atom : consts.add(lane, l.atom)));
            return () => ({ type: "v128", lane_type: lane,
                            value: slots.map((s) => (typeof s === "string" ? s : s.bits.toString())) });
        }
        const slot = consts.add("v128", args.map((a) => a.atom).join(" "));
        return () => {
            const out = [];
            for (let k = 0; k < count; k++) {
                let v = 0n;
                for (let b = width - 1; b >= 0; b--) v = (v << 8n) | BigInt(slot.bytes[k * width + b]);
                out.push(v.toString());
            }
            return { type: "v128", lane_type: lane, value: out };
        };
    }
    if (op === "ref.null") {
        // (ref.null) with no heap type, a result only: the null of any type.
        if (!args[0]) return () => ({ type: "ref", value: "null" });
        const type = NULL_HEAPS[args[0].atom] || "funcref"; // a type index: a function type here
        return () => ({ type, value: "null" });
    }
    if (op === "ref.extern" || op === "ref.host") {
        const type = op === "ref.extern" ? "externref" : "anyref";
        if (args.length === 0) return () => ({ type });
        const slot = consts.add("i64", args[0].atom);
        return () => ({ type, value: slot.bits.toString() });
    }
    if (op === "ref.func") {
        if (args.length === 0) return () => ({ type: "funcref" });
        return () => ({ type: "funcref", value: args[0].atom });
    }
    if (op && op.startsWith("ref.")) {
        // ref.exn, ref.any, ref.eq, ref.i31, ref.struct, ref.array: any non-null one.
        const type = op.slice(4) + "ref";
        return () => ({ type });
    }
    fail(`line ${node.line}: unknown value ${op}`);
}

// ---- commands ----------------------------------------------------------------

async function main() {
    const argv = process.argv.slice(2).filter((a) => !a.startsWith("--enable"));
    const oi = argv.indexOf("-o");
    if (oi < 0 || argv.length !== 3) fail("usage: wast2json.mjs [--enable-all] SCRIPT.wast -o OUT.json");
    const out = argv[oi + 1];
    const input = argv.filter((_, k) => k !== oi && k !== oi + 1)[0];
    const src = readFileSync(input, "utf8");
    const outDir = dirname(out);
    const base = basename(out).replace(/\.json$/, "");
    const consts = new Constants();
    const commands = [];
    let moduleCount = 0;

    // A module node: writes its file, returns {filename, name, module_type}.
    // A quoted module of assert_malformed stays text, as wabt leaves it.
    async function moduleFile(node, malformed = false) {
        const items = node.list;
        let k = 1;
        let definition = false;
        if (isAtom(items[k], "definition")) { definition = true; k++; }
        let name;
        if (isName(items[k])) name = items[k++].atom;
        const index = moduleCount++;
        if (isAtom(items[k], "binary")) {
            const bytes = Buffer.concat(items.slice(k + 1).map((s) => s.str));
            const filename = `${base}.${index}.wasm`;
            writeFileSync(join(outDir, filename), bytes);
            return { filename, name, definition, module_type: "binary" };
        }
        let text;
        let quoted = false;
        if (isAtom(items[k], "quote")) {
            quoted = true;
            text = "(module " + Buffer.concat(items.slice(k + 1).map((s) => s.str)).toString("utf8") + ")";
        } else {
            // The module as written, less "definition" and its name.
            text = "(module " + items.slice(k).map(serialize).join(" ") + ")";
        }
        if (!(quoted && malformed)) {
            try {
                const bytes = Buffer.from(await encodeWat(text));
                const filename = `${base}.${index}.wasm`;
                writeFileSync(join(outDir, filename), bytes);
                return { filename, name, definition, module_type: "binary" };
            } catch (e) {
                // A quoted module that does not parse is what assert_malformed
                // expects; any other is reported.
                if (!quoted)
                    process.stderr.write(`line ${node.line}: module not encoded: ${String(e).split("\n")[0]}\n`);
            }
        }
        const filename = `${base}.${index}.wat`;
        writeFileSync(join(outDir, filename), text);
        return { filename, name, definition, module_type: "text" };
    }

    function action(node) {
        const op = head(node);
        const items = node.list;
        let k = 1;
        let module;
        if (isName(items[k])) module = items[k++].atom;
        const field = items[k++].str.toString("utf8");
        const args = items.slice(k).map((a) => value(a, consts, false));
        if (op !== "invoke" && op !== "get") fail(`line ${node.line}: unknown action ${op}`);
        return () => {
            const a = { type: op, field };
            if (module) a.module = module;
            if (op === "invoke") a.args = args.map((f) => f());
            return a;
        };
    }

    const pending = []; // commands whose values need the constants first
    let script = readSexprs(src).map((n) => ({ ...n, list: n.list.filter((c) => !isAnnotation(c)) }));
    // A script of bare module fields is one module.
    if (script.length && !["module", "register", "invoke", "get"].includes(head(script[0])) &&
        !(head(script[0]) || "").startsWith("assert_")) {
        script = [{ list: [{ atom: "module" }, ...script], line: 1, start: 0, end: src.length }];
    }
    for (const node of script) {
        const op = head(node);
        const line = node.line;
        const items = node.list;
        if (op === "module" && isAtom(items[1], "instance")) {
            const c = { type: "module_instance", line };
            const names = items.slice(2).filter(isName).map((n) => n.atom);
            if (names.length === 2) { c.instance = names[0]; c.module = names[1]; }
            else if (names.length === 1) c.module = names[0];
            commands.push(c);
        } else if (op === "module") {
            const m = await moduleFile(node);
            if (m.definition) {
                commands.push({ type: "module_definition", line, ...(m.name && { name: m.name }),
                                filename: m.filename, module_type: m.module_type });
            } else {
                commands.push({ type: "module", line, ...(m.name && { name: m.name }),
                                filename: m.filename, module_type: m.module_type });
            }
        } else if (op === "register") {
            const c = { type: "register", line, as: items[1].str.toString("utf8") };
            if (isName(items[2])) c.name = items[2].atom;
            commands.push(c);
        } else if (op === "invoke" || op === "get") {
            const a = action(node);
            const c = { type: "action", line };
            pending.push(() => { c.action = a(); c.expected = []; });
            commands.push(c);
        } else if (op === "assert_return") {
            const a = action(items[1]);
            const vs = items.slice(2).map((v) => value(v, consts, true));
            const c = { type: "assert_return", line };
            pending.push(() => { c.action = a(); c.expected = vs.map((f) => f()); });
            commands.push(c);
        } else if (op === "assert_trap" || op === "assert_exhaustion") {
            const text = items[2].str.toString("utf8");
            if (head(items[1]) === "module") {
                const m = await moduleFile(items[1]);
                commands.push({ type: "assert_uninstantiable", line, filename: m.filename, text,
                                module_type: m.module_type });
            } else {
                const a = action(items[1]);
                const c = { type: op, line, text };
                pending.push(() => { c.action = a(); c.expected = []; });
                commands.push(c);
            }
        } else if (op === "assert_exception") {
            const a = action(items[1]);
            const c = { type: op, line };
            pending.push(() => { c.action = a(); c.expected = []; });
            commands.push(c);
        } else if (op === "assert_invalid" || op === "assert_malformed" ||
                   op === "assert_unlinkable") {
            const m = await moduleFile(items[1], op === "assert_malformed");
            commands.push({ type: op, line, filename: m.filename,
                            text: items[2].str.toString("utf8"), module_type: m.module_type });
        } else if (op === "module" || op === null) {
            fail(`line ${line}: unexpected token`);
        } else {
            fail(`line ${line}: unknown command ${op}`);
        }
    }
    await consts.resolve();
    for (const p of pending) p();
    writeFileSync(out, JSON.stringify({ source_filename: basename(input), commands }, null, 1) + "\n");
}

main().catch((e) => fail(String(e.stack || e)));
