/**
 * The source registry: every study (or label) an email may cite, with the facts an email may state from it.
 *
 * Emails take their numbers from here instead of typing them (`{say(pomeroy2017.facts.patients)}`), and
 * `npm run check:emails` fails when an email states a percentage, a patient count or a study year that no source
 * here holds, or links to a study that is not here. `npm run check:emails -- --claims` prints every claim with its
 * source, for the medical director to sign.
 *
 * To add a source: read the paper (its abstract at least), add an entry with its DOI or PubMed link, and one fact per
 * number you want to state: the number as the paper gives it, what it measures, and in whom. Never round a number
 * up, and never take a number from a clinic's or a vendor's article: only from the paper.
 */

export type Unit = 'people' | 'percent' | 'days' | 'points';

export interface Fact {
  /** The number as the paper reports it. */
  value: number;
  unit: Unit;
  /** What the number measures, in plain words. */
  measures: string;
  /** In whom it was measured. */
  population: string;
}

export interface Source {
  /** How an email names it in a link: "Pomeroy et al., Headache, 2017". */
  short: string;
  /** The full reference, as a reference list gives it. */
  citation: string;
  /** The year it was published; a label, which is revised over time, has none. */
  year?: number;
  doi?: string;
  pmid?: string;
  /** The paper itself: its DOI (https://doi.org/…) or PubMed page. Never a search. */
  url: string;
  /** What kind of evidence it is, and its design. */
  design: string;
  /** What it cannot show. Emails that cite it should say so. */
  limits: string;
  /** The numbers an email may state. */
  facts: Record<string, Fact>;
  /** Findings without a number that an email may state on this source's authority. */
  findings: readonly string[];
}

const doi = (id: string) => `https://doi.org/${id}`;

export const pomeroy2017 = {
  short: 'Pomeroy et al., Headache, 2017',
  citation:
    'Pomeroy JL, Marmura MJ, Nahas SJ, Viscusi ER. Ketamine infusions for treatment refractory headache. Headache. 2017;57(2):276-282.',
  year: 2017,
  doi: '10.1111/head.13013',
  pmid: '28025837',
  url: doi('10.1111/head.13013'),
  design: 'Retrospective review of hospital records at one center (2006–2014); no comparison group.',
  limits:
    'Looked back at records, with no placebo or comparison group; patients stayed in hospital for several days of continuous infusion, unlike a single outpatient session; the longer-term benefit was not statistically significant.',
  facts: {
    patients: {
      value: 77,
      unit: 'people',
      measures: 'patients whose records were reviewed',
      population:
        'adults with chronic migraine or new daily persistent headache who had failed aggressive outpatient and inpatient treatment',
    },
    infusionDays: {
      value: 4.8,
      unit: 'days',
      measures: 'mean length of the inpatient ketamine infusion',
      population: 'the 77 patients',
    },
    painAdmission: {
      value: 7.1,
      unit: 'points',
      measures: 'mean headache pain on a 0–10 scale at hospital admission',
      population: 'the 77 patients',
    },
    painDischarge: {
      value: 3.8,
      unit: 'points',
      measures: 'mean headache pain on a 0–10 scale at discharge',
      population: 'the 77 patients',
    },
    acuteResponders: {
      value: 55,
      unit: 'people',
      measures: 'acute responders: pain at least 2 points lower at discharge than at admission',
      population: 'of the 77 patients',
    },
    sustainedResponders: {
      value: 15,
      unit: 'people',
      measures:
        'acute responders who still had that benefit at their follow-up office visit (not statistically significant)',
      population: 'of the 77 patients (all among the 55 acute responders)',
    },
  },
  findings: [
    'Most patients tolerated the infusions well; some adverse events occurred, and very few were serious.',
    'The authors call for controlled trials to confirm a benefit.',
  ],
} as const satisfies Source;

export const yuan2023 = {
  short: 'Yuan et al., Reg Anesth Pain Med, 2023',
  citation:
    'Yuan H, Natekar A, Park J, Lauritsen CG, Viscusi ER, Marmura MJ. Real-world study of intranasal ketamine for use in patients with refractory chronic migraine: a retrospective analysis. Reg Anesth Pain Med. 2023;48(12):581-587.',
  year: 2023,
  doi: '10.1136/rapm-2022-104223',
  url: doi('10.1136/rapm-2022-104223'),
  design:
    'Retrospective study at one headache center: chart review and structured telephone interviews; no comparison group.',
  limits:
    'One center; patients recalled their experience by telephone, after the fact (recall and selection bias); no placebo; the authors call for placebo-controlled trials.',
  facts: {
    interviewed: {
      value: 169,
      unit: 'people',
      measures: 'people interviewed',
      population:
        'adults with refractory chronic migraine prescribed intranasal ketamine at one headache center (of 242 screened)',
    },
    veryEffective: {
      value: 49.1,
      unit: 'percent',
      measures: 'rated intranasal ketamine "very effective"',
      population: 'the 169 people interviewed',
    },
    qualityOfLife: {
      value: 35.5,
      unit: 'percent',
      measures: 'said their quality of life was "much better"',
      population: 'the 169 people interviewed',
    },
    adverseEvents: {
      value: 74.0,
      unit: 'percent',
      measures: 'reported at least one adverse event',
      population: 'the 169 people interviewed',
    },
    stillUsing: {
      value: 65.1,
      unit: 'percent',
      measures: 'were still using intranasal ketamine at the time of the interview',
      population: 'the 169 people interviewed',
    },
  },
  findings: [
    'The authors warn of the potential for overuse, and advise keeping the spray for people clearly in need of a more effective rescue treatment, with appropriate safety precautions.',
  ],
} as const satisfies Source;

export const afridi2013 = {
  short: 'Afridi et al., Neurology, 2013',
  citation:
    'Afridi SK, Giffin NJ, Kaube H, Goadsby PJ. A randomized controlled trial of intranasal ketamine in migraine with prolonged aura. Neurology. 2013;80(7):642-647.',
  year: 2013,
  doi: '10.1212/WNL.0b013e3182824e66',
  pmid: '23365053',
  url: 'https://pubmed.ncbi.nlm.nih.gov/23365053/',
  design:
    'Double-blind randomized controlled trial: intranasal ketamine 25 mg against intranasal midazolam 2 mg as an active control.',
  limits:
    'Small: 30 people were randomized and only 18 completed it; it studied prolonged aura, not the headache; class III evidence.',
  facts: {
    randomized: {
      value: 30,
      unit: 'people',
      measures: 'people randomized',
      population: 'adults who have migraine with prolonged aura',
    },
    completed: {
      value: 18,
      unit: 'people',
      measures: 'people who completed the trial',
      population: 'of the 30 randomized',
    },
  },
  findings: [
    'Intranasal ketamine reduced how severe the aura was, but not how long it lasted; midazolam had no effect.',
  ],
} as const satisfies Source;

export const ketamineLabel = {
  short: 'Ketalar prescribing information, FDA label',
  citation:
    'KETALAR (ketamine hydrochloride) injection, prescribing information. Par Pharmaceutical. DailyMed, U.S. National Library of Medicine.',
  url: 'https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid=14e8f864-8b8a-4e7e-8439-e510d3107063',
  design:
    'The FDA-approved label for ketamine as an anesthetic: its warnings, contraindications and adverse reactions.',
  limits: 'Written for anesthesia, not migraine; the FDA has not approved ketamine for migraine.',
  facts: {},
  findings: [
    'Ketamine is a Schedule III controlled substance; it can be misused, and physical dependence has been reported with prolonged use.',
    'Lower urinary tract and bladder problems have been reported with chronic use or abuse, and drug-induced liver injury with recurrent use.',
    'It raises blood pressure and heart rate; it is contraindicated where a significant rise in blood pressure would be a serious hazard.',
    'It can cause double vision and raise the pressure inside the eye, and can cause hallucinations, dream-like states and other psychiatric effects.',
  ],
} as const satisfies Source;

/** Every source, by id. An email may cite only these, and state only their facts. */
export const sources = { pomeroy2017, yuan2023, afridi2013, ketamineLabel } as const satisfies Record<string, Source>;

export type SourceId = keyof typeof sources;

/** A fact as an email writes it: 77, 49.1%, 4.8 days, 7.1. */
export function say(fact: Fact): string {
  const number = fact.unit === 'percent' ? fact.value.toFixed(1) : String(fact.value);
  switch (fact.unit) {
    case 'percent':
      return `${number}%`;
    case 'days':
      return `${number} days`;
    default:
      return number;
  }
}
