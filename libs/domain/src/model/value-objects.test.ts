import { emailSchema, normalizeEmail } from './email';
import { personNameSchema } from './person-name';

describe('email', () => {
  it('is trimmed and lower-cased', () => {
    expect(emailSchema.parse('  Ada.Lovelace@Example.COM ')).toBe('ada.lovelace@example.com');
    expect(normalizeEmail(' A@B.COM ')).toBe('a@b.com');
  });

  it.each([
    'plainaddress',
    'a@b',
    '@example.com',
    'a..b@example.com',
    'a@b.c\u0000',
    `${'a'.repeat(65)}@example.com`,
    `a@${'b'.repeat(250)}.com`,
    'a b@example.com',
    '"quoted"@example.com',
  ])('rejects %j', (value) => {
    expect(emailSchema.safeParse(value).success).toBe(false);
  });

  it('accepts 254 characters and no more', () => {
    const domain = `${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(61)}.com`;
    const at254 = `${'a'.repeat(60)}@${domain}`;
    expect(at254).toHaveLength(254);
    expect(emailSchema.safeParse(at254).success).toBe(true);
    expect(emailSchema.safeParse(`a${at254}`).success).toBe(false);
  });
});

describe('person name', () => {
  it('is trimmed and keeps Unicode', () => {
    expect(personNameSchema.parse('  Zoë  ')).toBe('Zoë');
    expect(personNameSchema.parse('李')).toBe('李');
  });

  it.each(['', '   ', 'a\u0000b', 'line\nbreak', 'tab\there', 'bidi\u202Eoverride', 'x'.repeat(101)])('rejects %j', (value) => {
    expect(personNameSchema.safeParse(value).success).toBe(false);
  });

  it('allows exactly 100 characters', () => {
    expect(personNameSchema.safeParse('x'.repeat(100)).success).toBe(true);
    expect(personNameSchema.safeParse('é'.repeat(100)).success).toBe(true);
  });
});
