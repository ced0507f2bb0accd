"""The catalogue as data: one module per issuing document, loaded by ``load``."""
