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

export type Unit = 'people' | 'percent' | 'hours' | 'days' | 'months' | 'points';

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

export const ichd3 = {
  short: 'ICHD-3, Cephalalgia, 2018',
  citation:
    'Headache Classification Committee of the International Headache Society (IHS). The International Classification of Headache Disorders, 3rd edition. Cephalalgia. 2018;38(1):1-211.',
  year: 2018,
  doi: '10.1177/0333102417738202',
  pmid: '29368949',
  url: doi('10.1177/0333102417738202'),
  design:
    "The International Headache Society's classification of headache disorders: diagnostic criteria agreed by its classification committee (section 1.3, chronic migraine; 1.4.1, status migrainosus).",
  limits:
    'Defines the disorders for diagnosis and research; it says nothing about treatment, or about ketamine. Only a clinician can make the diagnosis.',
  facts: {
    chronicDays: {
      value: 15,
      unit: 'days',
      measures: 'days a month with headache, at least, in chronic migraine (for more than 3 months)',
      population: 'people with migraine',
    },
    chronicMigraineDays: {
      value: 8,
      unit: 'days',
      measures: 'of those days a month, at least this many with the features of migraine, in chronic migraine',
      population: 'people with migraine',
    },
    chronicMonths: {
      value: 3,
      unit: 'months',
      measures: 'how long the headache days must have gone on (more than this) for chronic migraine',
      population: 'people with migraine',
    },
    statusHours: {
      value: 72,
      unit: 'hours',
      measures:
        'how long a debilitating migraine attack goes on without letting up (more than this) before it is called status migrainosus',
      population: 'people with migraine',
    },
  },
  findings: [
    'Status migrainosus is a debilitating migraine attack lasting more than 72 hours (breaks of up to 12 hours due to medicine or sleep are allowed).',
    'Chronic migraine is headache on 15 or more days a month for more than 3 months, with the features of migraine on at least 8 of those days a month.',
    'Headache with the features of status migrainosus, or of chronic migraine, is often caused by overusing acute medicines (medication-overuse headache).',
  ],
} as const satisfies Source;

export const ehf2020 = {
  short: 'Sacco et al., J Headache Pain, 2020',
  citation:
    'Sacco S, Braschinsky M, Ducros A, et al. European headache federation consensus on the definition of resistant and refractory migraine. J Headache Pain. 2020;21(1):76.',
  year: 2020,
  doi: '10.1186/s10194-020-01130-5',
  pmid: '32546227',
  url: doi('10.1186/s10194-020-01130-5'),
  design:
    'Consensus statement of the European Headache Federation, reached with the Delphi method and endorsed by the European Migraine & Headache Alliance.',
  limits:
    'Definitions agreed by experts, to identify difficult-to-treat migraine in care and research; it tests no treatment and says nothing about ketamine.',
  facts: {
    debilitatingDays: {
      value: 8,
      unit: 'days',
      measures: 'debilitating headache days a month, at least, in resistant and in refractory migraine',
      population: 'people with migraine with or without aura, or chronic migraine',
    },
    resistantMonths: {
      value: 3,
      unit: 'months',
      measures: 'consecutive months, at least, of those headache days without improvement, in resistant migraine',
      population: 'people who have failed at least 3 classes of migraine preventives',
    },
    refractoryMonths: {
      value: 6,
      unit: 'months',
      measures: 'consecutive months, at least, of those headache days, in refractory migraine',
      population: 'people who have failed all of the available preventives',
    },
  },
  findings: [
    'Resistant migraine: at least 3 classes of migraine preventives have failed, with at least 8 debilitating headache days a month for at least 3 consecutive months without improvement.',
    'Refractory migraine: all of the available preventives have failed, with at least 8 debilitating headache days a month for at least 6 consecutive months.',
    'A treatment has failed when it did not work or could not be tolerated; the definition can be based on a review of medical charts.',
    'A debilitating headache is one that seriously impairs daily activities despite acute medicines of established efficacy, taken early at the recommended dose; failure of at least two different triptans is required.',
  ],
} as const satisfies Source;

export const snnoop10 = {
  short: 'Do et al., Neurology, 2019',
  citation:
    'Do TP, Remmers A, Schytz HW, et al. Red and orange flags for secondary headaches in clinical practice: SNNOOP10 list. Neurology. 2019;92(3):134-144.',
  year: 2019,
  doi: '10.1212/WNL.0000000000006697',
  url: doi('10.1212/WNL.0000000000006697'),
  design:
    'Review of the red flags that point to a headache with another, possibly serious, cause (a secondary headache), as a screening list for clinicians (SNNOOP10).',
  limits:
    'A screening list for clinicians, not a test: the authors note that prospective studies of most red flags are lacking.',
  facts: {},
  findings: [
    'Red flags for a secondary headache include: fever and other systemic symptoms; a neurologic deficit, including decreased consciousness; a sudden or abrupt onset; a change in the headache pattern, or a new headache; a headache that began after a head injury; a headache brought on by sneezing, coughing or exercise; pregnancy.',
  ],
} as const satisfies Source;

export const nhsHeadaches = {
  short: 'NHS, Headaches',
  citation: 'National Health Service (England). Headaches. NHS website, Health A to Z.',
  url: 'https://www.nhs.uk/conditions/headaches/',
  design: "A national health service's advice to the public on when a headache needs emergency care.",
  limits:
    'Written for the UK, where the emergency number is 999: in the US it is 911. Public guidance, not a study; it is revised over time.',
  facts: {},
  findings: [
    'Call the emergency number or go to an emergency department after a bad head injury, or for a headache that came on suddenly and is extremely painful.',
    'Also for an extremely painful headache with sudden problems speaking or remembering things, loss of vision, drowsiness or confusion, a very high temperature with a stiff neck or a rash, or a red white of the eye.',
  ],
} as const satisfies Source;

/** Every source, by id. An email may cite only these, and state only their facts. */
export const sources = {
  pomeroy2017,
  yuan2023,
  afridi2013,
  ketamineLabel,
  ichd3,
  ehf2020,
  snnoop10,
  nhsHeadaches,
} as const satisfies Record<string, Source>;

export type SourceId = keyof typeof sources;

/** A fact as an email writes it: 77, 49.1%, 4.8 days, 7.1. */
export function say(fact: Fact): string {
  const number = fact.unit === 'percent' ? fact.value.toFixed(1) : String(fact.value);
  switch (fact.unit) {
    case 'percent':
      return `${number}%`;
    case 'hours':
    case 'days':
    case 'months':
      return `${number} ${fact.unit}`;
    default:
      return number;
  }
}
