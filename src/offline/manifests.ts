import { isMap, isScalar, LineCounter, parseAllDocuments, visit, type Document } from 'yaml';
import { InputError } from '../errors.js';

/** The text of one manifest file, wherever it came from, and the name reports use for it. */
export interface ManifestSource {
  /** A path relative to the working directory (forward slashes), or `<stdin>`. */
  readonly name: string;
  readonly text: string;
  /**
   * Named on the command line (not found by walking a directory). In walked files, documents
   * that are not Kubernetes objects (package.json, values.yaml) are skipped silently.
   */
  readonly explicit: boolean;
}

/** A Kubernetes object as read from a manifest: plain JSON with at least a kind. */
export interface K8sObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** One object of a manifest, where it is, and where it sits in its document. */
export interface ManifestObject {
  readonly source: string;
  /** 1-based line of the object's `kind:` (or of its first line). */
  readonly line: number;
  /** Path of the object inside its document: [] for a top-level object, ['items', i] in a List. */
  readonly path: readonly (string | number)[];
  readonly object: K8sObject;
}

/** One YAML (or JSON) document of a file, kept as a yaml Document so it can be edited in place. */
export interface ManifestDocument {
  readonly source: ManifestSource;
  readonly doc: Document.Parsed;
  /** The document as plain JSON (null for an empty document). */
  readonly value: unknown;
  readonly objects: readonly ManifestObject[];
}

export interface ParsedManifest {
  readonly source: ManifestSource;
  readonly documents: readonly ManifestDocument[];
  /** JSON in, JSON out: the file is a JSON value or a stream of them. */
  readonly json: boolean;
}

function isObjectRecord(v: unknown): v is K8sObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function looksLikeObject(v: unknown): v is K8sObject & { kind: string; apiVersion: string } {
  return isObjectRecord(v) && typeof v.kind === 'string' && typeof v.apiVersion === 'string';
}

/** The line of `kind:` in the map at `path`, else of the map itself. */
function lineOf(doc: Document.Parsed, path: readonly (string | number)[], counter: LineCounter): number {
  const node = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (isMap(node)) {
    const kindPair = node.items.find((pair) => (pair.key as { value?: unknown } | null)?.value === 'kind');
    const keyRange = (kindPair?.key as { range?: [number, number, number] } | null)?.range;
    if (keyRange !== undefined) return counter.linePos(keyRange[0]).line;
  }
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range === undefined ? 1 : counter.linePos(range[0]).line;
}

/**
 * Parses a manifest file: multi-document YAML, JSON, or a `List`, with the line of every object.
 * Malformed input is an InputError naming the file and line.
 */
export function parseManifest(source: ManifestSource): ParsedManifest {
  const chunks = jsonStreamChunks(source.text);
  const documents: ManifestDocument[] = [];
  for (const [start, end] of chunks ?? [[0, source.text.length]]) {
    documents.push(...parseDocuments(source, start, end));
  }
  return { source, documents, json: chunks !== undefined };
}

/**
 * A JSON stream (`{...}{...}`, as kubectl reads it) is not a YAML stream: returns the range of
 * each top-level value, or undefined when the text is not a stream of JSON objects or arrays.
 */
function jsonStreamChunks(text: string): [number, number][] | undefined {
  const chunks: [number, number][] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (depth === 0 && /\s/.test(c)) {
      continue;
    } else if (c === '"') {
      if (depth === 0) return undefined;
      inString = true;
    } else if (c === '{' || c === '[') {
      if (depth++ === 0) start = i;
    } else if (c === '}' || c === ']') {
      if (--depth === 0) chunks.push([start, i + 1]);
      if (depth < 0) return undefined;
    } else if (depth === 0) {
      return undefined;
    }
  }
  // Unbalanced JSON is left to the YAML parser, whose error names the line.
  if (depth !== 0 || chunks.length === 0) return undefined;
  return chunks;
}

/**
 * Parses text[start, end) as YAML documents. The text before `start` is blanked, not cut, so
 * that ranges and line numbers stay those of the whole file.
 */
function parseDocuments(source: ManifestSource, start: number, end: number): ManifestDocument[] {
  const counter = new LineCounter();
  const text = source.text.slice(0, start).replace(/[^\n]/g, ' ') + source.text.slice(start, end);
  const documents: ManifestDocument[] = [];
  // uniqueKeys: a mapping key given twice is an error, as kubectl's strict decoding makes it.
  for (const doc of parseAllDocuments(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true })) {
    const error = doc.errors[0];
    if (error !== undefined) {
      const duplicate = error.code === 'DUPLICATE_KEY' ? firstDuplicateKey(doc, counter) : undefined;
      if (duplicate !== undefined) {
        throw new InputError(`${source.name}:${duplicate.line}: mapping key "${duplicate.key}" already defined at line ${duplicate.firstLine}`);
      }
      const line = counter.linePos(error.pos[0]).line;
      throw new InputError(`${source.name}:${line}: not valid YAML or JSON: ${error.message.split('\n')[0]}`);
    }
    const value: unknown = doc.toJS({ maxAliasCount: 1000 });
    const objects: ManifestObject[] = [];
    const add = (object: K8sObject, path: (string | number)[]) =>
      objects.push({ source: source.name, line: lineOf(doc, path, counter), path, object });

    if (looksLikeObject(value) && value.kind.endsWith('List') && Array.isArray(value['items'])) {
      value['items'].forEach((item: unknown, i: number) => {
        if (looksLikeObject(item)) add(item, ['items', i]);
        else if (source.explicit) throw new InputError(`${source.name}:${lineOf(doc, ['items', i], counter)}: List item ${i} is not a Kubernetes object (no apiVersion and kind)`);
      });
    } else if (looksLikeObject(value)) {
      add(value, []);
    } else if (value !== null && value !== undefined && source.explicit) {
      const line = doc.contents?.range === undefined ? 1 : counter.linePos(doc.contents.range[0]).line;
      throw new InputError(`${source.name}:${line}: not a Kubernetes object (no apiVersion and kind)`);
    }
    documents.push({ source, doc, value, objects });
  }
  return documents;
}

/** The first mapping key given twice in a document (kubectl's wording names both lines). */
function firstDuplicateKey(doc: Document.Parsed, counter: LineCounter): { key: string; line: number; firstLine: number } | undefined {
  let found: { key: string; line: number; firstLine: number } | undefined;
  visit(doc, {
    Map(_, map) {
      const seen = new Map<unknown, number>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const line = pair.key.range === undefined || pair.key.range === null ? 0 : counter.linePos(pair.key.range[0]).line;
        const first = seen.get(pair.key.value);
        if (first !== undefined) {
          found = { key: String(pair.key.value), line, firstLine: first };
          return visit.BREAK;
        }
        seen.set(pair.key.value, line);
      }
      return undefined;
    },
  });
  return found;
}
