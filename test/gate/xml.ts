/**
 * A small, strict XML parser for the gate's tests: enough of XML 1.0 to prove junit.xml is
 * well-formed (one root, matching tags, quoted and unique attributes, no bare `<` or `&`, only
 * the predefined and numeric entities) and to read it back as a tree.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (entities decoded), children's text excluded. */
  text: string;
}

export class XmlError extends Error {
  override name = "XmlError";
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

export function parseXml(src: string): XmlElement {
  let i = src.charCodeAt(0) === 0xfeff ? 1 : 0;
  const fail = (msg: string): never => {
    const line = src.slice(0, i).split("\n").length;
    throw new XmlError(`${msg} (line ${line}, offset ${i})`);
  };
  const decode = (s: string): string => {
    if (s.includes("<")) fail("bare < in text or attribute");
    return s.replace(/&([^;&\s]*)(;?)/g, (_m, ref: string, semi: string) => {
      if (semi !== ";") fail(`bare & (&${ref})`);
      if (ref.startsWith("#x") && /^#x[0-9a-fA-F]+$/.test(ref))
        return String.fromCodePoint(parseInt(ref.slice(2), 16));
      if (/^#[0-9]+$/.test(ref)) return String.fromCodePoint(Number(ref.slice(1)));
      if (ref in ENTITIES) return ENTITIES[ref];
      return fail(`unknown entity &${ref};`);
    });
  };
  const skipMisc = () => {
    for (;;) {
      while (i < src.length && /\s/.test(src[i])) i++;
      if (src.startsWith("<!--", i)) {
        const end = src.indexOf("-->", i + 4);
        if (end === -1) fail("unterminated comment");
        i = end + 3;
      } else if (src.startsWith("<?", i)) {
        const end = src.indexOf("?>", i + 2);
        if (end === -1) fail("unterminated processing instruction");
        i = end + 2;
      } else return;
    }
  };
  const name = (): string => {
    NAME.lastIndex = i;
    const m = NAME.exec(src);
    if (m === null) fail("expected a name");
    i += m![0].length;
    return m![0];
  };
  const element = (): XmlElement => {
    if (src[i] !== "<") fail("expected <");
    i++;
    const el: XmlElement = { name: name(), attrs: {}, children: [], text: "" };
    for (;;) {
      const ws = /\s/.test(src[i] ?? "");
      while (i < src.length && /\s/.test(src[i])) i++;
      if (src.startsWith("/>", i)) {
        i += 2;
        return el;
      }
      if (src[i] === ">") {
        i++;
        break;
      }
      if (!ws) fail(`expected whitespace before an attribute of <${el.name}>`);
      const a = name();
      if (a in el.attrs) fail(`duplicate attribute ${a} on <${el.name}>`);
      while (/\s/.test(src[i] ?? "")) i++;
      if (src[i] !== "=") fail(`attribute ${a} without =`);
      i++;
      while (/\s/.test(src[i] ?? "")) i++;
      const q = src[i];
      if (q !== '"' && q !== "'") fail(`attribute ${a} not quoted`);
      const end = src.indexOf(q, i + 1);
      if (end === -1) fail(`unterminated attribute ${a}`);
      el.attrs[a] = decode(src.slice(i + 1, end));
      i = end + 1;
    }
    for (;;) {
      if (i >= src.length) fail(`<${el.name}> is never closed`);
      if (src.startsWith("</", i)) {
        i += 2;
        const n = name();
        if (n !== el.name) fail(`</${n}> closes <${el.name}>`);
        while (/\s/.test(src[i] ?? "")) i++;
        if (src[i] !== ">") fail(`expected > after </${n}`);
        i++;
        return el;
      }
      if (src.startsWith("<!--", i)) {
        const end = src.indexOf("-->", i + 4);
        if (end === -1) fail("unterminated comment");
        i = end + 3;
      } else if (src.startsWith("<![CDATA[", i)) {
        const end = src.indexOf("]]>", i + 9);
        if (end === -1) fail("unterminated CDATA");
        el.text += src.slice(i + 9, end);
        i = end + 3;
      } else if (src[i] === "<") el.children.push(element());
      else {
        const end = src.indexOf("<", i);
        el.text += decode(src.slice(i, end === -1 ? src.length : end));
        i = end === -1 ? src.length : end;
      }
    }
  };
  skipMisc();
  if (src.startsWith("<!DOCTYPE", i)) fail("DOCTYPE is not expected here");
  const root = element();
  skipMisc();
  if (i < src.length) fail("content after the root element");
  return root;
}

/** Every descendant element named `name`, depth first. */
export function findAll(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    for (const c of e.children) {
      if (c.name === name) out.push(c);
      walk(c);
    }
  };
  walk(el);
  return out;
}
