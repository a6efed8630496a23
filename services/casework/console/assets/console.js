// Marks the page as JavaScript-enabled and starts GOV.UK Frontend's
// components. Pages work without it.
import { initAll } from './govuk-frontend.min.js'
document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()
