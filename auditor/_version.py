"""The package version, in its own module so that every stage can read it without importing the
package root (which imports the stages)."""
__version__ = "0.1.0"
