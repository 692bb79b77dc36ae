// LFW people who are one person under two names (label noise of the data set, checked by name and
// by a look at the photos): a "stranger" held out under one name and named with the other is the
// right person, not a stranger named. Used by `facerec eval openset --gallery-size` to report them
// apart; nothing is tuned on them.
export const LFW_ALIASES: readonly (readonly [string, string, string])[] = [
  ['Doc_Rivers', 'Glenn_Rivers', 'Glenn "Doc" Rivers, basketball coach'],
  ['Yingfan_Wang', 'Wang_Yingfan', 'the same name in the other order'],
  ['Talisa_Bratt', 'Talisa_Soto', 'Talisa Soto, married name Bratt'],
  ['Virgina_Ruano_Pascal', 'Ruano_Pascual', 'Virginia Ruano Pascual, tennis player (misspelt)'],
  ['Bison_Dele', 'Brian_Williams', 'Bison Dele, born Brian Williams, basketball player'],
];

export function areAliases(a: string, b: string): boolean {
  return LFW_ALIASES.some(([x, y]) => (x === a && y === b) || (x === b && y === a));
}
