// How a Kind/namespace/name ref reads for people, in the report and in the terminal alike (issue 21).

/** Objects as people read them: "Node/general-001", not events.csv's "Node/-/general-001" (a
 *  cluster-scoped object has no namespace; the files keep the "-" so every ref has three parts).
 *  Every such ref in the text: a ref alone, or a message or warning that names one. */
export function displayObject(text: string): string {
  return text.replace(/(^|[^A-Za-z0-9/])([A-Z][A-Za-z]*)\/-\//g, '$1$2/');
}
