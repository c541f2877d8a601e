/**
 * The part of the W3C DOM that @xmldom/xmldom implements and SSO reads or (in tests) edits.
 * Declared here and the library loaded untyped: its own declarations reference the browser DOM
 * library, which would reach every file the compiler sees (fetch's body types change, `window`
 * would type-check in server code).
 */
export interface XmlDomNode {
  readonly nodeType: number;
  readonly localName: string | null;
  textContent: string | null;
  readonly parentNode: XmlDomNode | null;
  readonly firstChild: XmlDomNode | null;
  readonly nextSibling: XmlDomNode | null;
  readonly childNodes: ArrayLike<XmlDomNode>;
  cloneNode(deep: boolean): XmlDomNode;
  appendChild(child: XmlDomNode): XmlDomNode;
  removeChild(child: XmlDomNode): XmlDomNode;
  replaceChild(next: XmlDomNode, old: XmlDomNode): XmlDomNode;
  insertBefore(child: XmlDomNode, before: XmlDomNode | null): XmlDomNode;
}

export interface XmlDomElement extends XmlDomNode {
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  getElementsByTagNameNS(namespace: string, name: string): ArrayLike<XmlDomElement>;
  cloneNode(deep: boolean): XmlDomElement;
}

export interface XmlDomDocument extends XmlDomNode {
  readonly documentElement: XmlDomElement;
  readonly doctype: XmlDomNode | null;
  getElementsByTagNameNS(namespace: string, name: string): ArrayLike<XmlDomElement>;
  createElementNS(namespace: string, qualifiedName: string): XmlDomElement;
}

type ErrorHandler = (message: string) => void;

interface XmlDom {
  DOMParser: new (options?: {
    errorHandler?: { warning?: ErrorHandler; error?: ErrorHandler; fatalError?: ErrorHandler };
  }) => { parseFromString(xml: string, mimeType: string): XmlDomDocument };
  XMLSerializer: new () => { serializeToString(node: XmlDomNode): string };
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const { DOMParser, XMLSerializer } = require('@xmldom/xmldom') as XmlDom;
