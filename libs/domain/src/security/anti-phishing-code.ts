/**
 * The anti-phishing code: a word the user chooses that every mail we send them shows verbatim, so
 * that a phishing mail without it stands out. It is user input that ends up in HTML: the alphabet is
 * letters and digits only, so there is nothing to escape even before the renderer escapes it anyway.
 */
export const ANTI_PHISHING_CODE_PATTERN = /^[A-Za-z0-9]{4,20}$/;
export const ANTI_PHISHING_CODE_MIN_LENGTH = 4;
export const ANTI_PHISHING_CODE_MAX_LENGTH = 20;
