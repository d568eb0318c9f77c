import { Matches } from 'class-validator';

/** A text field that must say something: whitespace alone is refused (400 naming the field). */
export const NotBlank = () => Matches(/\S/, { message: '$property must not be blank' });
