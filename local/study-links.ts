/**
 * Which links are study links, and whether each is a registry source's own address (`source-checks.ts`, rule 1).
 */
import { sources as defaultRegistry, type Source } from '../emails/sources.ts';

export type Registry = Readonly<Record<string, Source>>;

// ---------------------------------------------------------------------------------------------------------------
// Links

export type LinkVerdict =
  /** The registry's own address for a source: a citation. */
  | { kind: 'registry'; id: string; source: Source }
  /** A registry source at another address (its PubMed page instead of its DOI, a journal page with its DOI). */
  | { kind: 'registry-elsewhere'; id: string; source: Source }
  /** A search: never a citation. */
  | { kind: 'search' }
  /** A study that is not in the registry. */
  | { kind: 'study' }
  /** Not a study: the clinic's site, booking, unsubscribe, mailto:, tel:. */
  | { kind: 'other' };

/** Sites whose links are studies, papers, labels or searches for them. A subdomain counts too. */
const STUDY_HOSTS = [
  'doi.org',
  'pubmed.ncbi.nlm.nih.gov',
  'ncbi.nlm.nih.gov',
  'nlm.nih.gov',
  'europepmc.org',
  'scholar.google.com',
  'semanticscholar.org',
  'researchgate.net',
  'clinicaltrials.gov',
  'cochranelibrary.com',
  'accessdata.fda.gov',
  'medrxiv.org',
  'biorxiv.org',
  'sciencedirect.com',
  'elsevier.com',
  'wiley.com',
  'springer.com',
  'nature.com',
  'thelancet.com',
  'jamanetwork.com',
  'nejm.org',
  'bmj.com',
  'neurology.org',
  'academic.oup.com',
  'sagepub.com',
  'tandfonline.com',
  'frontiersin.org',
  'mdpi.com',
  'plos.org',
  'karger.com',
  'lww.com',
  'cell.com',
  'thieme-connect.com',
  'thieme-connect.de',
  'ahajournals.org',
  'cambridge.org',
  'biomedcentral.com',
  'dovepress.com',
  'hindawi.com',
  'mirasmart.com',
  'medscape.com',
  'painphysicianjournal.com',
];
const SEARCH_HOSTS = ['google.com', 'bing.com', 'duckduckgo.com', 'search.yahoo.com'];
const SEARCH_PARAMS = ['term', 'q', 'query', 'search', 'searchterm', 'search_query', 'terms', 'text'];

const onHost = (host: string, hosts: readonly string[]) => hosts.some((h) => host === h || host.endsWith(`.${h}`));

/** An address as the registry would write it: https, no "www.", doi.org, no trailing slash, a DOI in lower case. */
export function normalizeUrl(href: string): string {
  let url: URL;
  try {
    url = new URL(href.trim());
  } catch {
    return href.trim();
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return href.trim();
  let host = url.hostname.toLowerCase().replace(/^www\./, '');
  if (host === 'dx.doi.org') host = 'doi.org';
  let path = url.pathname.replace(/\/+$/, '');
  if (host === 'doi.org') {
    try {
      path = decodeURIComponent(path);
    } catch {
      // keep it as it is
    }
    path = path.toLowerCase();
  }
  return `https://${host}${path}${url.search}`;
}

/** What a link is: a registry citation, a search, another study, or not a study at all. */
export function classifyLink(href: string, registry: Registry = defaultRegistry): LinkVerdict {
  const normal = normalizeUrl(href);
  for (const [id, source] of Object.entries(registry))
    if (normalizeUrl(source.url) === normal) return { kind: 'registry', id, source };
  let url: URL;
  try {
    url = new URL(href.trim());
  } catch {
    return { kind: 'other' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { kind: 'other' };
  const host = url.hostname.toLowerCase().replace(/^www\./, '');
  const params = [...url.searchParams.keys()].map((key) => key.toLowerCase());
  const study = onHost(host, STUDY_HOSTS);
  if (
    (study || onHost(host, SEARCH_HOSTS)) &&
    (params.some((key) => SEARCH_PARAMS.includes(key)) || /\/(search|results|scholar)\b/i.test(url.pathname))
  )
    return { kind: 'search' };
  const decoded = (() => {
    try {
      return decodeURIComponent(`${url.pathname}${url.search}`).toLowerCase();
    } catch {
      return `${url.pathname}${url.search}`.toLowerCase();
    }
  })();
  for (const [id, source] of Object.entries(registry)) {
    const sameDoi = source.doi && decoded.includes(source.doi.toLowerCase());
    const samePmid =
      source.pmid &&
      onHost(host, ['ncbi.nlm.nih.gov', 'europepmc.org']) &&
      new RegExp(`(^|[/=])${source.pmid}(/|$|&)`).test(decoded);
    if (sameDoi || samePmid) return { kind: 'registry-elsewhere', id, source };
  }
  if (study || /(^|\/)10\.\d{4,9}\//.test(decoded)) return { kind: 'study' };
  return { kind: 'other' };
}
